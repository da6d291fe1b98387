using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RoleMining.Exports.Diagnostics;

namespace RoleMining.Exports;

/// <summary>
/// The entry points a host calls: <see cref="HandleAsync"/> for a message from any step queue (runs the step, then sends
/// its follow-up messages), and <see cref="HandlePoisonMessageAsync"/> for a message that failed too often (its job fails
/// with the last error, never silently dropped). The Functions app's queue triggers and the in-process driver call the
/// very same methods.
/// </summary>
public sealed class ExportWorkflow
{
    private readonly Dictionary<ExportStep, IExportStep> _steps;
    private readonly IExportQueue _queue;
    private readonly IExportJobStore _jobs;
    private readonly DownloadExportStep? _download;
    private readonly ExportWorkflowOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<ExportWorkflow> _logger;
    private readonly ExportsMetrics _metrics;

    /// <summary>Creates the workflow over its steps.</summary>
    public ExportWorkflow(
        IEnumerable<IExportStep> steps,
        IExportQueue queue,
        IExportJobStore jobs,
        IOptions<ExportWorkflowOptions> options,
        TimeProvider timeProvider,
        ILogger<ExportWorkflow> logger,
        ExportsMetrics? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(steps);
        ArgumentNullException.ThrowIfNull(queue);
        ArgumentNullException.ThrowIfNull(jobs);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        var list = steps.ToList();
        _steps = list.ToDictionary(step => step.HandledStep);
        foreach (var step in Enum.GetValues<ExportStep>())
        {
            if (!_steps.ContainsKey(step))
            {
                throw new ArgumentException($"No implementation of the {step} step was given.", nameof(steps));
            }
        }

        _download = list.OfType<DownloadExportStep>().FirstOrDefault();
        _queue = queue;
        _jobs = jobs;
        _options = options.Value;
        _timeProvider = timeProvider;
        _logger = logger;
        _metrics = metrics ?? new ExportsMetrics();
    }

    /// <summary>
    /// Runs the step <paramref name="message"/> names and sends the messages it schedules. Throws when the step failed in
    /// a way worth retrying: the host then delivers the message again (the Functions host after its visibility timeout,
    /// the in-process driver after a backoff). A delivery past <see cref="ExportWorkflowOptions.MaxAttempts"/> is handled
    /// as poison at once.
    /// </summary>
    public async Task<ExportStepResult> HandleAsync(ExportMessage message, ExportDelivery delivery, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(delivery);
        using var activity = ExportsTelemetry.StartStep(message, delivery);
        using var scope = _logger.BeginScope(new Dictionary<string, object>
        {
            ["JobId"] = message.JobId,
            ["Step"] = message.Step.ToString(),
            ["Sequence"] = message.Sequence,
            ["MessageId"] = message.MessageId,
            ["Attempt"] = delivery.DequeueCount,
        });
        Log.StepReceived(_logger, message.Step, message.JobId, message.MessageId, message.Sequence, delivery.DequeueCount);

        if (delivery.DequeueCount > _options.MaxAttempts)
        {
            return await HandlePoisonAsync(message, null, cancellationToken).ConfigureAwait(false);
        }

        var started = _timeProvider.GetTimestamp();
        ExportStepResult result;
        try
        {
            result = await _steps[message.Step].ExecuteAsync(message, delivery, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            // The host delivers the message again (or, after the last attempt, to the poison queue).
            _metrics.StepThrew(message.Step, _timeProvider.GetElapsedTime(started).TotalSeconds, exception);
            activity.Fail(exception);
            throw;
        }

        _metrics.StepEnded(message.Step, _timeProvider.GetElapsedTime(started).TotalSeconds, result.Outcome);
        RecordOutcome(message.Step, result);
        if (result.Job is { } current)
        {
            activity.TagJob(current);
        }

        foreach (var next in result.Messages)
        {
            await ExportsTelemetry.SendAsync(_queue, next.Message, next.Delay, cancellationToken).ConfigureAwait(false);
        }

        if (result.Outcome is ExportStepOutcome.Succeeded or ExportStepOutcome.Failed && result.Job is { } ended)
        {
            await SendCallbackAsync(ended, cancellationToken).ConfigureAwait(false);
        }

        activity?.SetTag(ExportsTelemetry.OutcomeAttribute, result.Outcome.ToString());
        Log.StepCompleted(_logger, message.Step, message.JobId, result.Outcome, result.Job?.State, result.Job?.SessionId, result.Job?.PotentialRoleId, result.Job?.ExportId);
        return result;
    }

    /// <summary>
    /// Fails the job of a message that kept failing (the Functions poison-queue trigger calls this; so does the in-process
    /// driver once the attempts ran out), with the last error recorded on the job or <paramref name="lastError"/>. A stale
    /// message (its job moved on or ended) changes nothing; a download whose manifest its last run published succeeds
    /// instead. Returns the job as it is afterwards.
    /// </summary>
    public async Task<ExportJob?> HandlePoisonMessageAsync(ExportMessage message, string? lastError, CancellationToken cancellationToken = default) =>
        (await HandlePoisonAsync(message, lastError, cancellationToken).ConfigureAwait(false)).Job;

    /// <summary><see cref="HandlePoisonMessageAsync"/>, with what it did: Failed, Succeeded (a download found finished), Deferred
    /// (to the lease holder), CallbackFailed, or Duplicate (nothing to do).</summary>
    private async Task<ExportStepResult> HandlePoisonAsync(ExportMessage message, string? lastError, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        using var activity = ExportsTelemetry.StartPoison(message);
        if (message.Step == ExportStep.Callback)
        {
            var (job, givenUp) = await GiveUpCallbackAsync(message, lastError, cancellationToken).ConfigureAwait(false);
            // Duplicate for a callback settled before (by its step, or by an earlier copy of this message): counted once.
            var result = ExportStepResult.Of(givenUp ? ExportStepOutcome.CallbackFailed : ExportStepOutcome.Duplicate, job);
            RecordOutcome(message.Step, result);
            return result;
        }

        while (true)
        {
            var stored = await _jobs.GetAsync(message.JobId, cancellationToken).ConfigureAwait(false);
            if (stored is null)
            {
                return ExportStepResult.Of(ExportStepOutcome.JobNotFound, null);
            }

            var job = stored.Job;
            if (job.IsTerminal || job.Sequence != message.Sequence || job.NextStep != message.Step)
            {
                return ExportStepResult.Of(ExportStepOutcome.Duplicate, job);
            }

            var now = _timeProvider.GetUtcNow();
            if (job.Lease is { } lease && lease.ExpiresAt > now)
            {
                // An execution holds the job: a resumed or deferred copy of this message at work (failing the job now would
                // delete files under its download), or the run that just failed without giving its lease back. The
                // message is sent again for when the lease runs out: it then finds the job moved on, or claims it, and
                // the job's claim count (ExportJob.Claims) ends a job that never gets further. Dropped, the second case
                // would leave the job waiting for nobody.
                await ExportsTelemetry.SendAsync(_queue, message, lease.RunsOutAfter(now), cancellationToken).ConfigureAwait(false);
                Log.PoisonDeferredToHolder(_logger, message.Step, message.MessageId, job.JobId, lease.ExpiresAt);
                return ExportStepResult.Of(ExportStepOutcome.Deferred, job);
            }

            var (manifest, manifestUnknown) = message.Step == ExportStep.Download && _download is not null
                ? await TryReadManifestAsync(job, cancellationToken).ConfigureAwait(false)
                : (null, false);
            if (manifest is not null)
            {
                // The last run published the files and their manifest, then failed or died before it could mark the job
                // (the claim at the attempt cap adopts such a manifest too): the export is complete, and failing the job
                // would delete it.
                var succeeded = DownloadExportStep.Succeeded(job, manifest.Files, manifest.CompletedAt, message.MessageId, now);
                if (await _jobs.TryReplaceAsync(succeeded, stored.ETag, cancellationToken).ConfigureAwait(false) is null)
                {
                    continue;
                }

                Log.ManifestAdopted(_logger, job.JobId, job.ExportId!);
                var adopted = ExportStepResult.Of(ExportStepOutcome.Succeeded, succeeded);
                RecordOutcome(message.Step, adopted);
                await SendCallbackAsync(succeeded, cancellationToken).ConfigureAwait(false);
                return adopted;
            }

            var error = job.LastError ?? lastError ?? "no error was recorded";
            // The deliveries that failed, after the retries later for a passing failure (Exports:TransientRetry).
            var attempts = Math.Max(job.Attempts, _options.MaxAttempts) + job.TransientRetries;
            var reason = $"The {message.Step} step failed {attempts} times and was given up. Last error: {error} " + RepeatedFailureAdvice.For(job, message.Step, error);
            var failed = job with
            {
                State = ExportJobState.Failed,
                Failure = new ExportFailure { Kind = ExportFailureKind.RepeatedFailure, Reason = reason, Step = message.Step, SailPointError = job.LastSailPointError },
                LastError = error,
                Lease = null,
                CompletedAt = now,
                UpdatedAt = now,
            };
            if (await _jobs.TryReplaceAsync(failed, stored.ETag, cancellationToken).ConfigureAwait(false) is null)
            {
                continue;
            }

            activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, nameof(ExportFailureKind.RepeatedFailure));
            Log.Poisoned(_logger, message.Step, message.MessageId, message.JobId, attempts, error);
            var given = ExportStepResult.Of(ExportStepOutcome.Failed, failed);
            RecordOutcome(message.Step, given);
            // Not when the store could not say whether a complete export is there: files kept beat an export deleted.
            if (message.Step == ExportStep.Download && _download is not null && !manifestUnknown)
            {
                await _download.DeleteJobFilesAsync(failed).ConfigureAwait(false);
            }

            await SendCallbackAsync(failed, cancellationToken).ConfigureAwait(false);
            return given;
        }
    }

    /// <summary>
    /// The job's published manifest, if any; Unknown when the store could not be read (the download may have kept failing
    /// for that very reason), which must not keep the job from failing.
    /// </summary>
    private async Task<(ExportManifest? Manifest, bool Unknown)> TryReadManifestAsync(ExportJob job, CancellationToken cancellationToken)
    {
        try
        {
            return (await _download!.TryReadManifestAsync(job, cancellationToken).ConfigureAwait(false), false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.PoisonManifestUnreadable(_logger, job.JobId, exception);
            return (null, true);
        }
    }

    /// <summary>Sends the callback message of a job that just ended, if it has a pending callback.</summary>
    private async Task SendCallbackAsync(ExportJob ended, CancellationToken cancellationToken)
    {
        if (ended.IsTerminal && ended.Callback is { State: ExportCallbackState.Pending })
        {
            var message = ExportMessage.Create(ExportStep.Callback, ended.JobId, ended.Sequence, _timeProvider.GetUtcNow());
            await ExportsTelemetry.SendAsync(_queue, message, TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A callback message that kept failing (the store, not the receiver: those failures are retried by the step): the
    /// callback is given up, visibly. Returns the job, and whether this call gave the callback up (false when it was no
    /// longer pending).
    /// </summary>
    private async Task<(ExportJob? Job, bool GivenUp)> GiveUpCallbackAsync(ExportMessage message, string? lastError, CancellationToken cancellationToken)
    {
        while (true)
        {
            var stored = await _jobs.GetAsync(message.JobId, cancellationToken).ConfigureAwait(false);
            if (stored?.Job.Callback is not { State: ExportCallbackState.Pending } callback)
            {
                return (stored?.Job, false);
            }

            var given = stored.Job with
            {
                Lease = null,
                Callback = callback with { State = ExportCallbackState.Failed, NextAttemptAt = null, LastError = callback.LastError ?? lastError ?? "The callback message failed too often." },
                UpdatedAt = _timeProvider.GetUtcNow(),
            };
            if (await _jobs.TryReplaceAsync(given, stored.ETag, cancellationToken).ConfigureAwait(false) is not null)
            {
                Log.CallbackAttempted(_logger, given.JobId, callback.Name, callback.Attempts, ExportCallbackState.Failed, given.Callback!.LastError);
                Log.CallbackGivenUp(_logger, given.JobId, callback.Name, callback.Attempts, given.Callback.LastError, given.State);
                return (given, true);
            }
        }
    }

    /// <summary>The metrics, and the failure's log line, of a step's result once it is stored: for a step, and for a poison message (a callback's too).</summary>
    private void RecordOutcome(ExportStep step, ExportStepResult result)
    {
        switch (result.Outcome)
        {
            case ExportStepOutcome.Advanced when step == ExportStep.Start:
                _metrics.ExportStarted();
                break;
            case ExportStepOutcome.Succeeded when result.Job is { } succeeded:
                _metrics.ExportSucceeded(succeeded);
                break;
            case ExportStepOutcome.Failed when result.Job is { Failure: { } failure } failed:
                _metrics.ExportFailed(failure);
                Log.JobFailed(_logger, failed.JobId, failure.Step, failure.Kind, failure.Reason, failed.SessionId, failed.PotentialRoleId, failed.ExportId);
                break;
            case ExportStepOutcome.CallbackDelivered or ExportStepOutcome.CallbackFailed when result.Job?.Callback is { } callback:
                _metrics.CallbackEnded(callback);
                break;
        }
    }
}
