using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RoleMining.Exports.Diagnostics;
using RoleMining.SailPoint;

namespace RoleMining.Exports;

/// <summary>
/// Step 3: under a lease, downloads the zip in one pass (<see cref="ExportDownloadPipeline"/>): it is stored as staging
/// file while its SHA-256 is computed, and at the same time verified and unpacked into staging CSV files whose CRC-32,
/// size, SHA-256 and rows are taken on the way (never whole in memory). Then it publishes the files, writes
/// <c>manifest.json</c> last and only then marks the job succeeded. A failed or interrupted attempt
/// leaves staging files at most, which the next attempt removes; a crash after the manifest was published is finished
/// by adopting it instead of downloading again.
/// </summary>
public sealed class DownloadExportStep : ExportStepBase
{
    /// <summary>How long a publish begun, or the cleanup of a download, may go on once the run is being stopped.</summary>
    internal static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(30);

    /// <summary>The zip may exceed the unpacked size by this much (headers, directory) before the download is cut off.</summary>
    private const long ZipOverheadAllowance = 16 * 1024 * 1024;

    private readonly IRoleMiningClient _client;
    private readonly IExportArtifactStore _artifacts;
    private readonly SinglePassArchiveVerifier _verifier;
    private readonly ExportArchiveInspector _inspector;

    /// <summary>Creates the step.</summary>
    public DownloadExportStep(
        IRoleMiningClient client,
        IExportJobStore jobs,
        IExportArtifactStore artifacts,
        IOptions<ExportWorkflowOptions> options,
        TimeProvider timeProvider,
        ILogger<DownloadExportStep> logger)
        : base(jobs, options, timeProvider, logger)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(artifacts);
        _client = client;
        _artifacts = artifacts;
        _verifier = new SinglePassArchiveVerifier(Options.Archive);
        _inspector = new ExportArchiveInspector(Options.Archive);
    }

    /// <inheritdoc />
    public override ExportStep HandledStep => ExportStep.Download;

    /// <inheritdoc />
    public override async Task<ExportStepResult> ExecuteAsync(ExportMessage message, ExportDelivery delivery, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        var (holder, early) = await ClaimAndHoldAsync(message, delivery, job => job.State == ExportJobState.Downloading && job.ExportId is not null, job => job, cancellationToken).ConfigureAwait(false);
        if (holder is null)
        {
            return early!;
        }

        await using (holder.ConfigureAwait(false))
        {
            var job = holder.Job;
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, holder.LostToken);
            try
            {
                var adopted = await TryReadManifestAsync(job, linked.Token).ConfigureAwait(false);
                if (adopted is not null)
                {
                    Log.ManifestAdopted(Logger, job.JobId, job.ExportId!);
                    return await FinishSucceededAsync(message, holder, adopted.Files, adopted.CompletedAt).ConfigureAwait(false);
                }

                await DeleteStagingAsync(job, linked.Token).ConfigureAwait(false);
                var started = TimeProvider.GetTimestamp();
                var (files, secondPass) = await DownloadVerifyAndStageAsync(job, holder.LeaseId, linked.Token).ConfigureAwait(false);
                var staged = TimeProvider.GetTimestamp();
                if (!await holder.ConfirmAsync(linked.Token).ConfigureAwait(false))
                {
                    Log.LeaseLost(Logger, HandledStep, job.JobId, job.ExportId);
                    return ExportStepResult.Of(ExportStepOutcome.LeaseLost, holder.Job);
                }

                // Once begun, publishing runs to its end (renames, or server-side copies, then the manifest) even when the
                // run is being stopped: cut off, it would leave files that look finished beside no manifest. A lost lease
                // stops it at once (the job is someone else's now), a stop after StopGrace (then it ends as a death would).
                var completedAt = TimeProvider.GetUtcNow();
                // The grace runs on the step's clock; a linked source could only time out on the system's.
                using (var grace = new CancellationTokenSource(Timeout.InfiniteTimeSpan, TimeProvider))
                using (var publishing = CancellationTokenSource.CreateLinkedTokenSource(holder.LostToken, grace.Token))
                using (cancellationToken.Register(() => grace.CancelAfter(StopGrace)))
                {
                    if (!await PublishAsync(job, holder, files, completedAt, publishing.Token).ConfigureAwait(false))
                    {
                        Log.LeaseLost(Logger, HandledStep, job.JobId, job.ExportId);
                        return ExportStepResult.Of(ExportStepOutcome.LeaseLost, holder.Job);
                    }
                }

                Log.ExportStored(Logger, job.ExportId!, job.JobId, TimeProvider.GetElapsedTime(started, staged).TotalMilliseconds, files[0].Size, secondPass ? 2 : 1,
                    TimeProvider.GetElapsedTime(staged).TotalMilliseconds);
                var result = await FinishSucceededAsync(message, holder, files, completedAt).ConfigureAwait(false);
                if (result.Outcome == ExportStepOutcome.Succeeded)
                {
                    // Every attempt's leftovers, this one's and dead owners': the job is done. Not after a lost lease,
                    // when another owner may be staging.
                    await DeleteStagingAsync(job, CancellationToken.None).ConfigureAwait(false);
                }
                else if (result.Outcome == ExportStepOutcome.LeaseLost)
                {
                    await UndoManifestOfLostLeaseAsync(job, completedAt).ConfigureAwait(false);
                }

                return result;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Shutdown or Ctrl+C: the writes in progress were given up (nothing partial stays), and the staging files
                // this attempt finished are removed too: a resumed job downloads again and would only delete them later.
                // Then the lease is given back, so that a rerun (or another instance) takes the job over at once rather
                // than wait for the lease to run out and log a crash. A killed process cannot do this; whoever takes
                // over after the lease does.
                if (!holder.LostToken.IsCancellationRequested)
                {
                    // Bounded like the publish: a storage account that does not answer must not hold up the stop.
                    using var cleanup = new CancellationTokenSource(StopGrace, TimeProvider);
                    await DeleteStagingAsync(job, cleanup.Token, holder.LeaseId).ConfigureAwait(false);
                    await ReleaseLeaseAsync(holder, cleanup.Token).ConfigureAwait(false);
                }

                throw;
            }
            catch (OperationCanceledException) when (holder.LostToken.IsCancellationRequested)
            {
                Log.LeaseLost(Logger, HandledStep, job.JobId, job.ExportId);
                return ExportStepResult.Of(ExportStepOutcome.LeaseLost, holder.Job);
            }
            catch (InvalidExportArchiveException exception) when (!exception.IsTransient)
            {
                return await FailAndRemoveFilesAsync(message, holder, ExportFailureKind.InvalidArchive,
                    $"The zip of export '{job.ExportId}' failed verification: {exception.Message} Nothing was stored. Ask SailPoint support about the export, or adjust {Options.Setting("Archive")} if the content is legitimate.",
                    exception).ConfigureAwait(false);
            }
            catch (SailPointException exception) when (IsGone(exception) || exception.Status == HttpStatusCode.Forbidden)
            {
                return await FailAndRemoveFilesAsync(message, holder, ExportFailureKind.DownloadRejected,
                    $"SailPoint refused to serve the zip of export '{job.ExportId}': {exception.Message} The export may have expired; start a new export job.",
                    exception).ConfigureAwait(false);
            }
            catch (Exception exception) when (StorageFailures.IsOutOfSpace(exception))
            {
                // No retry frees space: the job fails at once and says so. SailPoint's export is finished and stays usable,
                // so the next job for the role downloads it instead of starting another (ExportJob.CanReuseExport).
                return await FailAndRemoveFilesAsync(message, holder, ExportFailureKind.StorageFull,
                    $"The files of export '{job.ExportId}' could not be stored: no space left on the device ({exception.Message}). "
                    + "Free some space, then export again: the next job downloads this finished SailPoint export instead of starting another.",
                    exception).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // This attempt's staging only: with the lease lost, another owner may be staging its own (the next
                // attempt removes whatever dead attempts left).
                await DeleteStagingAsync(job, CancellationToken.None, holder.LeaseId).ConfigureAwait(false);
                if (await TryRetryTransientLaterAsync(message, holder, exception, ExportJobState.Downloading).ConfigureAwait(false) is { } later)
                {
                    return later;
                }

                await RecordFailedAttemptAsync(message, exception, holder).ConfigureAwait(false);
                throw;
            }
        }
    }

    /// <inheritdoc />
    private protected override Task OnGivenUpAsync(ExportJob failed) => DeleteJobFilesAsync(failed);

    /// <inheritdoc />
    private protected override async Task<bool> HasFinishedAsync(ExportJob job, CancellationToken cancellationToken) =>
        await TryReadManifestAsync(job, cancellationToken).ConfigureAwait(false) is not null;

    /// <summary>
    /// Fails the job for good and removes its files. After a full disk, while this run still holds the lease (read, not
    /// renewed: a full disk still answers a read), the files go first, so that the failure can be written on a disk this
    /// download filled. Otherwise this run removes its own staging, and the rest of the folder only if its failure is then
    /// written, which proves nobody took the job over.
    /// </summary>
    private async Task<ExportStepResult> FailAndRemoveFilesAsync(ExportMessage message, JobLeaseHolder holder, ExportFailureKind kind, string reason, Exception exception)
    {
        // Files first only where the failure could not be written otherwise (a full disk): the deletes may outlast the
        // lease, and then they would remove the files of a run that took the job over and published them. Otherwise the
        // failure is written first, which only succeeds while nobody took the job over.
        if (kind == ExportFailureKind.StorageFull && await holder.IsHeldAsync(CancellationToken.None).ConfigureAwait(false))
        {
            await DeleteJobFilesAsync(holder.Job).ConfigureAwait(false);
            return await FinishFailedAsync(message, holder, kind, reason, exception).ConfigureAwait(false);
        }

        await DeleteStagingAsync(holder.Job, CancellationToken.None, holder.LeaseId).ConfigureAwait(false);
        var result = await FinishFailedAsync(message, holder, kind, reason, exception).ConfigureAwait(false);
        if (result.Outcome == ExportStepOutcome.Failed)
        {
            await DeleteJobFilesAsync(result.Job!).ConfigureAwait(false);
        }

        return result;
    }

    /// <summary>
    /// Removes every file of the job's folder (published or staged): used when the job has failed without a manifest.
    /// Best effort, like every clean-up here: a store that fails it (Azure's RequestFailedException is no IOException)
    /// is logged and the files stay; the job's outcome, already decided, must not change because of it.
    /// </summary>
    public async Task DeleteJobFilesAsync(ExportJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        try
        {
            var prefix = ExportArtifactLayout.JobFolder(job) + "/";
            var items = new List<ArtifactItem>();
            await foreach (var item in _artifacts.ListAsync(prefix, CancellationToken.None).ConfigureAwait(false))
            {
                items.Add(item);
            }

            // The manifest goes first, so that a folder is never complete-looking while it is being emptied. Run without a
            // token (as the job's end is written): the outcome is decided, and the files must not outlive it for a stop.
            foreach (var item in items.OrderBy(item => item.Path.EndsWith("/" + ExportArtifactLayout.ManifestFileName, StringComparison.Ordinal) ? 0 : 1))
            {
                await _artifacts.DeleteAsync(item.Path, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (Exception exception)
        {
            Log.StagingCleanupFailed(Logger, job.JobId, exception);
        }
    }

    private async Task<(List<ExportArtifact> Files, bool SecondPass)> DownloadVerifyAndStageAsync(ExportJob job, string attemptId, CancellationToken cancellationToken)
    {
        var zipStaging = ExportArtifactLayout.StagingPath(job, attemptId, ExportArtifactLayout.ZipFileName);
        Task<Stream> OpenEntry(string name, CancellationToken token) =>
            _artifacts.OpenStagingWriteAsync(ExportArtifactLayout.StagingPath(job, attemptId, name), token);

        // One span for the one pass: download, hash, verify and unpack, everything staged.
        DownloadedArchive archive;
        using (var stage = ExportsTelemetry.StartStorageWrite("export.stage_zip", job))
        {
            try
            {
                var download = await _client.DownloadExportAsync(job.SessionId, job.PotentialRoleId, job.ExportId!, cancellationToken).ConfigureAwait(false);
                await using (download.ConfigureAwait(false))
                {
                    var target = await _artifacts.OpenStagingWriteAsync(zipStaging, cancellationToken).ConfigureAwait(false);
                    archive = await ExportDownloadPipeline.RunAsync(
                        download.Content,
                        download.Length,
                        Options.Archive.MaxTotalBytes + ZipOverheadAllowance,
                        target,
                        _verifier,
                        OpenEntry,
                        cancellationToken).ConfigureAwait(false);
                }
            }
            catch (Exception exception)
            {
                stage.Fail(exception);
                throw;
            }

            stage?.SetTag("rolemining.bytes", archive.ZipSize);
        }

        var entries = archive.Entries;
        if (entries is null)
        {
            // The second pass exists only for zips the single pass cannot follow for certain (a preamble, another
            // compression method, a directory that disagrees with the entries): the stored copy is read once more,
            // from its central directory, with the same rules.
            Log.ArchiveVerifiedFromStorage(Logger, job.ExportId!, job.JobId, archive.SecondPassReason ?? "unknown");
            using var unpack = ExportsTelemetry.StartStorageWrite("export.unpack", job);
            var zip = await _artifacts.OpenReadAsync(zipStaging, cancellationToken).ConfigureAwait(false)
                ?? throw new IOException($"The staged zip '{zipStaging}' vanished before it could be verified.");
            await using (zip.ConfigureAwait(false))
            {
                entries = await _inspector.VerifyAndExtractAsync(zip, OpenEntry, cancellationToken).ConfigureAwait(false);
            }
        }

        var files = new List<ExportArtifact>
        {
            new()
            {
                Name = ExportArtifactLayout.ZipFileName,
                Path = ExportArtifactLayout.FilePath(job, ExportArtifactLayout.ZipFileName),
                Size = archive.ZipSize,
                Sha256 = archive.ZipSha256,
            },
        };
        files.AddRange(entries.Select(entry => new ExportArtifact
        {
            Name = entry.Name,
            Path = ExportArtifactLayout.FilePath(job, entry.Name),
            Size = entry.Size,
            Sha256 = entry.Sha256,
            RowCount = entry.RowCount,
        }));
        return (files, archive.Entries is null);
    }

    /// <summary>
    /// Publishes the CSV files and the zip, then the manifest: the folder looks complete only at the very end. The lease is
    /// confirmed once more before the manifest (publishing the files may have outlasted it: a run that stalled meanwhile
    /// must not mark complete a job that was failed, or taken over, in between); false when it was lost by then.
    /// </summary>
    private async Task<bool> PublishAsync(ExportJob job, JobLeaseHolder holder, List<ExportArtifact> files, DateTimeOffset completedAt, CancellationToken cancellationToken)
    {
        var attemptId = holder.LeaseId;
        using var activity = ExportsTelemetry.StartStorageWrite("export.publish", job);
        activity?.SetTag("rolemining.files", files.Count + 1);
        long bytes = 0;
        foreach (var file in files)
        {
            bytes += file.Size;
            await _artifacts.PublishAsync(ExportArtifactLayout.StagingPath(job, attemptId, file.Name), file.Path, cancellationToken).ConfigureAwait(false);
        }

        activity?.SetTag("rolemining.bytes", bytes);
        if (!await holder.ConfirmAsync(cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        await PublishManifestAsync(job, attemptId, files, completedAt, cancellationToken).ConfigureAwait(false);
        return true;
    }

    private async Task PublishManifestAsync(ExportJob job, string attemptId, IReadOnlyList<ExportArtifact> files, DateTimeOffset completedAt, CancellationToken cancellationToken)
    {
        var manifest = new ExportManifest
        {
            JobId = job.JobId,
            SessionId = job.SessionId,
            PotentialRoleId = job.PotentialRoleId,
            Options = job.Options,
            ExportId = job.ExportId!,
            CreatedAt = job.CreatedAt,
            StartedAt = job.StartedAt,
            CompletedAt = completedAt,
            Files = [.. files],
        };
        var manifestStaging = ExportArtifactLayout.StagingPath(job, attemptId, ExportArtifactLayout.ManifestFileName);
        var target = await _artifacts.OpenStagingWriteAsync(manifestStaging, cancellationToken).ConfigureAwait(false);
        await StagingWrites.WriteAndCloseAsync(target, stream => stream.WriteAsync(ExportsJson.SerializeManifest(manifest), cancellationToken).AsTask()).ConfigureAwait(false);

        await _artifacts.PublishAsync(manifestStaging, ExportArtifactLayout.FilePath(job, ExportArtifactLayout.ManifestFileName), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// After this run published its manifest and then found its lease lost (it stalled past it after the last check),
    /// the stored job says whose the folder is: succeeded by the run that took over, whose manifest this one may have
    /// replaced, the manifest is written again from that job; failed (its files deleted meanwhile), this run's manifest
    /// goes, so that no reader takes the folder for a complete export. A run still at work is left to write its own.
    /// Best effort, like every clean-up here.
    /// </summary>
    private async Task UndoManifestOfLostLeaseAsync(ExportJob job, DateTimeOffset completedAt)
    {
        try
        {
            var stored = (await Jobs.GetAsync(job.JobId, CancellationToken.None).ConfigureAwait(false))?.Job;
            if (stored is { State: ExportJobState.Succeeded } succeeded && succeeded.CompletedAt != completedAt)
            {
                await PublishManifestAsync(succeeded, "manifest-" + Guid.NewGuid().ToString("N"), succeeded.Artifacts, succeeded.CompletedAt!.Value, CancellationToken.None).ConfigureAwait(false);
            }
            else if (stored is { State: ExportJobState.Failed }
                && await TryReadManifestAsync(job, CancellationToken.None).ConfigureAwait(false) is { } manifest && manifest.CompletedAt == completedAt)
            {
                await _artifacts.DeleteAsync(ExportArtifactLayout.FilePath(job, ExportArtifactLayout.ManifestFileName), CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (Exception exception)
        {
            Log.StagingCleanupFailed(Logger, job.JobId, exception);
        }
    }

    /// <summary>The job's published manifest, when it is there and is this job's and export's: the download is then done.</summary>
    internal async Task<ExportManifest?> TryReadManifestAsync(ExportJob job, CancellationToken cancellationToken)
    {
        var stream = await _artifacts.OpenReadAsync(ExportArtifactLayout.FilePath(job, ExportArtifactLayout.ManifestFileName), cancellationToken).ConfigureAwait(false);
        if (stream is null)
        {
            return null;
        }

        await using (stream.ConfigureAwait(false))
        {
            try
            {
                var manifest = await ExportsJson.DeserializeManifestAsync(stream, cancellationToken).ConfigureAwait(false);
                return string.Equals(manifest.JobId, job.JobId, StringComparison.Ordinal)
                    && string.Equals(manifest.ExportId, job.ExportId, StringComparison.Ordinal)
                    ? manifest
                    : null;
            }
            catch (JsonException)
            {
                return null;
            }
        }
    }

    /// <summary>
    /// Deletes the job's staging files: every attempt's, or only those of <paramref name="attemptId"/>. Best effort (what
    /// stays is removed by the next attempt, or by the job's end): only the cancellation of <paramref name="cancellationToken"/> escapes.
    /// </summary>
    private async Task DeleteStagingAsync(ExportJob job, CancellationToken cancellationToken, string? attemptId = null)
    {
        try
        {
            var staged = new List<string>();
            var prefix = attemptId is null ? ExportArtifactLayout.StagingPrefix(job) : ExportArtifactLayout.StagingPath(job, attemptId, string.Empty);
            await foreach (var item in _artifacts.ListAsync(prefix, cancellationToken).ConfigureAwait(false))
            {
                staged.Add(item.Path);
            }

            foreach (var path in staged)
            {
                await _artifacts.DeleteAsync(path, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception exception) when (!(exception is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            Log.StagingCleanupFailed(Logger, job.JobId, exception);
        }
    }

    /// <summary>
    /// Clears the lease of a job whose download was stopped (the job stays where it is, for its message to be sent again).
    /// Best effort: a lease left in place runs out; only the cancellation of <paramref name="cancellationToken"/> escapes.
    /// </summary>
    private async Task ReleaseLeaseAsync(JobLeaseHolder holder, CancellationToken cancellationToken)
    {
        try
        {
            await holder.FinishAsync(current => current with { Lease = null, UpdatedAt = TimeProvider.GetUtcNow() }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (!(exception is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            Log.LeaseReleaseFailed(Logger, holder.Job.JobId, exception);
        }
    }

    /// <summary>The job as it is once its files, listed by <paramref name="files"/>, are published with their manifest.</summary>
    internal static ExportJob Succeeded(ExportJob job, IReadOnlyList<ExportArtifact> files, DateTimeOffset completedAt, string messageId, DateTimeOffset now) => job with
    {
        State = ExportJobState.Succeeded,
        Artifacts = files,
        CompletedAt = completedAt,
        UpdatedAt = now,
        Sequence = job.Sequence + 1,
        AdvancedByMessageId = messageId,
        NextStepDueAt = null,
        Lease = null,
        Failure = null,
        LastError = null,
        LastSailPointError = null,
    };

    private async Task<ExportStepResult> FinishSucceededAsync(ExportMessage message, JobLeaseHolder holder, IReadOnlyList<ExportArtifact> files, DateTimeOffset completedAt)
    {
        var written = await holder.FinishAsync(job => Succeeded(job, files, completedAt, message.MessageId, TimeProvider.GetUtcNow()), CancellationToken.None).ConfigureAwait(false);
        if (written is null)
        {
            Log.LeaseLost(Logger, HandledStep, message.JobId, holder.Job.ExportId);
            return ExportStepResult.Of(ExportStepOutcome.LeaseLost, holder.Job);
        }

        var zip = files.FirstOrDefault(file => file.Name == ExportArtifactLayout.ZipFileName);
        Log.JobSucceeded(Logger, written.Job.JobId, written.Job.ExportId!, zip?.Size ?? 0, files.Count, ExportArtifactLayout.JobFolder(written.Job));
        return ExportStepResult.Of(ExportStepOutcome.Succeeded, written.Job);
    }
}
