using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RoleMining.Exports.Diagnostics;
using RoleMining.SailPoint;
using RoleMining.SailPoint.Models;

namespace RoleMining.Exports;

/// <summary>
/// Step 2: reads the export's status. <c>QUEUED</c>/<c>IN_PROGRESS</c>: schedules the next poll with exponential backoff
/// and jitter, within the total wait. <c>SUCCESS</c>: schedules the download. <c>ERROR</c>, or the total wait exceeded:
/// the job fails with the reason. Each poll message carries a sequence number; only the one the job waits for acts, so a
/// duplicated poll never forks the chain. The poll holds a lease while it asks, like the other steps: a poll that is still
/// waiting for SailPoint is never taken for stalled, and one whose instance died is resumed once the lease runs out.
/// </summary>
public sealed class PollExportStep : ExportStepBase
{
    private readonly IRoleMiningClient _client;

    /// <summary>Creates the step.</summary>
    public PollExportStep(IRoleMiningClient client, IExportJobStore jobs, IOptions<ExportWorkflowOptions> options, TimeProvider timeProvider, ILogger<PollExportStep> logger)
        : base(jobs, options, timeProvider, logger)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
    }

    /// <inheritdoc />
    public override ExportStep HandledStep => ExportStep.Poll;

    /// <inheritdoc />
    public override async Task<ExportStepResult> ExecuteAsync(ExportMessage message, ExportDelivery delivery, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        var (holder, early) = await ClaimAndHoldAsync(message, delivery, job => job.State == ExportJobState.Polling && job.ExportId is not null, job => job, cancellationToken).ConfigureAwait(false);
        if (holder is null)
        {
            return early!;
        }

        await using (holder.ConfigureAwait(false))
        {
            var job = holder.Job;
            PotentialRoleExport status;
            using (var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, holder.LostToken))
            {
                try
                {
                    status = await _client.GetExportStatusAsync(job.SessionId, job.PotentialRoleId, job.ExportId!, linked.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    // Shutdown or crash: the lease stays; whoever takes over after it expires asks again.
                    throw;
                }
                catch (OperationCanceledException) when (holder.LostToken.IsCancellationRequested)
                {
                    Log.LeaseLost(Logger, HandledStep, job.JobId, job.ExportId);
                    return ExportStepResult.Of(ExportStepOutcome.LeaseLost, holder.Job);
                }
                catch (SailPointException exception) when (IsGone(exception))
                {
                    return await FinishFailedAsync(message, holder, ExportFailureKind.ExportError,
                        $"SailPoint no longer knows export '{job.ExportId}': {exception.Message} Start a new export job.",
                        exception).ConfigureAwait(false);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    if (await TryRetryTransientLaterAsync(message, holder, exception, ExportJobState.Polling).ConfigureAwait(false) is { } later)
                    {
                        return later;
                    }

                    await RecordFailedAttemptAsync(message, exception, holder).ConfigureAwait(false);
                    throw;
                }
            }

            // The answer is applied to the job as it is when written (the lease holder re-reads it on a conflict).
            ScheduledExportMessage? next = null;
            ExportFailure? failure = null;
            var recorded = await holder.FinishAsync(current =>
            {
                var decision = Decide(message, current, status);
                failure = decision.Failure;
                next = decision.Next;
                return decision.Failure is { } failed ? Failed(current, failed.Kind, failed.Reason) : decision.Job!;
            }, CancellationToken.None).ConfigureAwait(false);

            if (recorded is null)
            {
                Log.LeaseLost(Logger, HandledStep, job.JobId, job.ExportId);
                return ExportStepResult.Of(ExportStepOutcome.LeaseLost, holder.Job);
            }

            if (failure is not null)
            {
                return ExportStepResult.Of(ExportStepOutcome.Failed, recorded.Job);
            }

            if (recorded.Job.State == ExportJobState.Polling)
            {
                Log.ExportPending(Logger, job.ExportId!, job.JobId, recorded.Job.ExportStatus ?? "UNKNOWN", recorded.Job.PollCount, next!.Delay.TotalMilliseconds);
            }

            return ExportStepResult.Of(ExportStepOutcome.Advanced, recorded.Job, next!);
        }
    }

    private (ExportJob? Job, ScheduledExportMessage? Next, ExportFailure? Failure) Decide(ExportMessage message, ExportJob job, PotentialRoleExport status)
    {
        var statusText = StartExportStep.StatusText(status.Status);
        var pollCount = job.PollCount + 1;
        switch (status.Status)
        {
            case PotentialRoleExportState.Success:
            {
                var (advanced, download) = Advance(job, message, ExportJobState.Downloading, ExportStep.Download, TimeSpan.Zero);
                return (advanced with { ExportStatus = statusText, PollCount = pollCount }, download, null);
            }

            case PotentialRoleExportState.Error:
                return (null, null, new ExportFailure
                {
                    Kind = ExportFailureKind.ExportError,
                    Step = HandledStep,
                    Reason = $"SailPoint ended export '{job.ExportId}' with status ERROR. Check the potential role in SailPoint (it may have changed or been deleted), then start a new export job.",
                });

            default:
            {
                var now = TimeProvider.GetUtcNow();
                var since = job.PollingSince ?? job.StartedAt ?? job.CreatedAt;
                var deadline = since + Options.Polling.TotalWait;
                if (now >= deadline)
                {
                    return (null, null, new ExportFailure
                    {
                        Kind = ExportFailureKind.PollTimeout,
                        Step = HandledStep,
                        Reason = $"Export '{job.ExportId}' did not finish within {Options.Polling.TotalWait} (still {statusText} after {pollCount} polls). SailPoint may be busy: export again later (the next job follows this export once more before it starts another), or raise {Options.Setting("Polling:TotalWait")}.",
                    });
                }

                // The last poll lands on the deadline rather than past it, so a timeout is reported on time.
                var delay = PollBackoff.Delay(pollCount, Options.Polling.InitialDelay, Options.Polling.MaxDelay, Options.Polling.JitterRatio);
                if (now + delay > deadline)
                {
                    delay = deadline - now;
                }

                var (advanced, poll) = Advance(job, message, ExportJobState.Polling, ExportStep.Poll, delay);
                return (advanced with { ExportStatus = statusText, PollCount = pollCount }, poll, null);
            }
        }
    }
}
