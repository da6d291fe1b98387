using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RoleMining.Exports.Diagnostics;
using RoleMining.SailPoint;
using RoleMining.SailPoint.Models;

namespace RoleMining.Exports;

/// <summary>
/// Step 1: claims the job (optimistic concurrency, with a lease) BEFORE calling <c>export-async</c>, so that of any
/// number of copies of the start message only one calls SailPoint; records the export id and schedules the first poll.
/// <para>
/// Once the call returned, the export id is written even if the step is being cancelled (a graceful shutdown does not lose
/// it), and a write that fails (the store unavailable for a moment) is tried again while the lease lasts. The residual
/// window: an execution that ends between the call and that write (a crash, a stall past its lease, a shutdown mid-call,
/// a store down for longer than the retries) leaves the job <see cref="ExportJobState.Started"/> under a lease that runs
/// out. Whoever takes it over cannot know whether SailPoint started the export (its API cannot list a role's exports), so
/// it starts one: if the first call had been accepted, that export is orphaned in SailPoint (the job still uses exactly
/// one). Waiting first would not avoid that; the takeover is logged, and repeated deaths end the job after
/// <see cref="ExportWorkflowOptions.MaxAttempts"/> claims.
/// </para>
/// <para>
/// A start call that fails without a clear answer (5xx, timeout, broken connection) is not retried at once: SailPoint may
/// have started the export, and its API has no way to look exports up (no list of a potential role's exports). The job
/// goes back to <see cref="ExportJobState.Queued"/> and tries again after <see cref="ExportUncertainStartOptions.RetryDelay"/>
/// (doubled each time, with jitter), at most <see cref="ExportUncertainStartOptions.MaxRetries"/> times, then fails as
/// <see cref="ExportFailureKind.StartUncertain"/>. Each such retry risks one orphaned duplicate export in SailPoint when
/// the failed call had in fact been accepted; the job itself still follows exactly one export. A call SailPoint provably
/// did not take (429, the client's rate limiter or open circuit, failed authentication) is retried through the queue; a
/// refusal (4xx) fails the job.
/// </para>
/// </summary>
public sealed class StartExportStep : ExportStepBase
{
    /// <summary>The longest wait before a retry of an uncertain start, however often it doubled.</summary>
    private static readonly TimeSpan MaxUncertainRetryDelay = TimeSpan.FromDays(1);

    private readonly IRoleMiningClient _client;

    /// <summary>Creates the step.</summary>
    public StartExportStep(IRoleMiningClient client, IExportJobStore jobs, IOptions<ExportWorkflowOptions> options, TimeProvider timeProvider, ILogger<StartExportStep> logger)
        : base(jobs, options, timeProvider, logger)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
    }

    /// <inheritdoc />
    public override ExportStep HandledStep => ExportStep.Start;

    /// <inheritdoc />
    public override async Task<ExportStepResult> ExecuteAsync(ExportMessage message, ExportDelivery delivery, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        ExportJobLease? interrupted = null;
        var (holder, early) = await ClaimAndHoldAsync(
            message,
            delivery,
            job => job.State is ExportJobState.Queued or ExportJobState.Started,
            job =>
            {
                // Started and still leased (the lease ran out, or the claim would have been deferred): an earlier
                // execution got this far and never recorded how its call went (the residual window above).
                interrupted = job.State == ExportJobState.Started ? job.Lease : null;
                return job with { State = ExportJobState.Started, StartedAt = job.StartedAt ?? TimeProvider.GetUtcNow() };
            },
            cancellationToken).ConfigureAwait(false);
        if (holder is null)
        {
            return early!;
        }

        await using (holder.ConfigureAwait(false))
        {
            var job = holder.Job;
            if (interrupted is { } lease)
            {
                Log.InterruptedStartFound(Logger, job.JobId, lease.ExpiresAt);
            }

            PotentialRoleExport export;
            using (var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, holder.LostToken))
            {
                try
                {
                    export = await _client.StartExportAsync(job.SessionId, job.PotentialRoleId, job.Options.ToRequest(), linked.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    // A shutdown or crash mid-call: the lease stays, and whoever takes over after it expires decides.
                    throw;
                }
                catch (OperationCanceledException) when (holder.LostToken.IsCancellationRequested)
                {
                    Log.LeaseLost(Logger, HandledStep, job.JobId, null);
                    return ExportStepResult.Of(ExportStepOutcome.LeaseLost, job);
                }
                catch (SailPointException exception) when (IsProvablyNotAccepted(exception))
                {
                    if (await TryRetryTransientLaterAsync(message, holder, exception, ExportJobState.Queued).ConfigureAwait(false) is { } later)
                    {
                        return later;
                    }

                    await RecordFailedAttemptAsync(message, exception, holder).ConfigureAwait(false);
                    throw;
                }
                catch (SailPointException exception) when (IsRefusal(exception))
                {
                    return await FinishFailedAsync(message, holder, ExportFailureKind.StartRejected,
                        $"SailPoint refused to start the export: {exception.Message} Check that session '{job.SessionId}' and potential role '{job.PotentialRoleId}' exist and that the API client has the scope iai:access-modeling:manage.",
                        exception).ConfigureAwait(false);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    return await RetryLaterOrFailAsync(message, holder, exception).ConfigureAwait(false);
                }
            }

            if (string.IsNullOrEmpty(export.ExportId))
            {
                // Not retried: SailPoint did start an export here, so another call would certainly make a second one.
                return await FinishFailedAsync(message, holder, ExportFailureKind.StartUncertain,
                    "SailPoint accepted the export request but answered without an export id, so the export cannot be followed. Start a new export job.",
                    null).ConfigureAwait(false);
            }

            // Once SailPoint took the request, the export id is recorded even during a shutdown (CancellationToken.None).
            ScheduledExportMessage? next = null;
            var now = TimeProvider.GetUtcNow();
            var firstPoll = PollBackoff.Delay(0, Options.Polling.InitialDelay, Options.Polling.MaxDelay, Options.Polling.JitterRatio);
            StoredExportJob? recorded;
            try
            {
                // Without this write the next execution must start another export: it is tried again within the lease.
                var retries = OutcomeWriteRetries((@try, delay, exception) => Log.ExportIdRecordRetry(Logger, export.ExportId, job.JobId, @try, delay.TotalMilliseconds, exception));
                recorded = await retries.ExecuteAsync(
                    async _ => await holder.FinishAsync(current =>
                    {
                        var (advanced, poll) = Advance(current, message, ExportJobState.Polling, ExportStep.Poll, firstPoll);
                        next = poll;
                        return advanced with
                        {
                            ExportId = export.ExportId,
                            ExportStatus = StatusText(export.Status),
                            PollingSince = now,
                            PollCount = 0,
                        };
                    }, CancellationToken.None).ConfigureAwait(false),
                    CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                Log.ExportIdNotRecorded(Logger, export.ExportId, job.JobId, exception);
                throw;
            }

            if (recorded is null)
            {
                Log.LeaseLost(Logger, HandledStep, job.JobId, export.ExportId);
                return ExportStepResult.Of(ExportStepOutcome.LeaseLost, holder.Job);
            }

            Log.ExportStarted(Logger, export.ExportId, job.JobId, job.SessionId, job.PotentialRoleId);
            return ExportStepResult.Of(ExportStepOutcome.Advanced, recorded.Job, next!);
        }
    }

    internal static string StatusText(PotentialRoleExportState state) => state switch
    {
        PotentialRoleExportState.Queued => "QUEUED",
        PotentialRoleExportState.InProgress => "IN_PROGRESS",
        PotentialRoleExportState.Success => "SUCCESS",
        PotentialRoleExportState.Error => "ERROR",
        _ => "UNKNOWN",
    };

    /// <summary>Failures where SailPoint certainly did not take the request: safe to send it again.</summary>
    private static bool IsProvablyNotAccepted(SailPointException exception) =>
        exception.NotProcessed
        || exception.IsRateLimited
        || exception.Kind is SailPointErrorKind.CircuitOpen or SailPointErrorKind.RateLimited or SailPointErrorKind.Authentication;

    /// <summary>A clear refusal: a 4xx other than 408 (timeout) and 429 (handled above).</summary>
    private static bool IsRefusal(SailPointException exception) =>
        exception.Status is { } status && (int)status is >= 400 and < 500 && status != HttpStatusCode.RequestTimeout;

    /// <summary>
    /// After a start that failed without a clear answer: back to <see cref="ExportJobState.Queued"/> with a start message
    /// due after the configured delay, or, once the retries are used up, failed as <see cref="ExportFailureKind.StartUncertain"/>.
    /// </summary>
    private async Task<ExportStepResult> RetryLaterOrFailAsync(ExportMessage message, JobLeaseHolder holder, Exception exception)
    {
        var settings = Options.UncertainStart;
        var job = holder.Job;
        if (job.UncertainStarts >= settings.MaxRetries)
        {
            var tried = job.UncertainStarts == 0
                ? $"It was not tried again ({Options.Setting("UncertainStart:MaxRetries")} is 0)"
                : $"It was tried {job.UncertainStarts + 1} times in all, each time without a clear answer";
            return await FinishFailedAsync(message, holder, ExportFailureKind.StartUncertain,
                $"Starting the export failed without a clear answer: {exception.Message} SailPoint may or may not have started it. {tried}. Start a new export job.",
                exception).ConfigureAwait(false);
        }

        var delay = PollBackoff.Delay(job.UncertainStarts, settings.RetryDelay, MaxUncertainRetryDelay, settings.JitterRatio);
        var result = await RescheduleAfterFailureAsync(message, holder, exception, ExportJobState.Queued, delay,
            (current, queued) => queued with { UncertainStarts = current.UncertainStarts + 1 }).ConfigureAwait(false);
        if (result.Outcome == ExportStepOutcome.Rescheduled)
        {
            Log.UncertainStartRetryScheduled(Logger, job.JobId, result.Job!.UncertainStarts, settings.MaxRetries, delay.TotalMilliseconds, Describe(exception));
        }

        return result;
    }
}
