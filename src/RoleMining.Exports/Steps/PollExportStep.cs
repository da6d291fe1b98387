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
/// duplicated poll never forks the chain.
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
        PotentialRoleExport? status = null;
        while (true)
        {
            var (stored, early) = await AdmitAsync(message, delivery, cancellationToken).ConfigureAwait(false);
            if (stored is null)
            {
                return early!;
            }

            var job = stored.Job;
            if (job.State != ExportJobState.Polling || job.ExportId is null)
            {
                return ExportStepResult.Of(ExportStepOutcome.Duplicate, job);
            }

            // Asked once per execution; after a write conflict the same answer is applied to the re-read job.
            if (status is null)
            {
                try
                {
                    status = await _client.GetExportStatusAsync(job.SessionId, job.PotentialRoleId, job.ExportId, cancellationToken).ConfigureAwait(false);
                }
                catch (SailPointException exception) when (IsGone(exception))
                {
                    return await FailAsync(message, delivery, stored, ExportFailureKind.ExportError,
                        $"SailPoint no longer knows export '{job.ExportId}': {exception.Message} Start a new export job.",
                        Describe(exception), cancellationToken).ConfigureAwait(false);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    await RecordFailedAttemptAsync(message, exception, null).ConfigureAwait(false);
                    throw;
                }
            }

            var decision = Decide(message, job, status);
            if (decision.Failure is { } failure)
            {
                return await FailAsync(message, delivery, stored, failure.Kind, failure.Reason, null, cancellationToken).ConfigureAwait(false);
            }

            if (await Jobs.TryReplaceAsync(decision.Job!, stored.ETag, cancellationToken).ConfigureAwait(false) is null)
            {
                continue;
            }

            if (decision.Job!.State == ExportJobState.Polling)
            {
                Log.ExportPending(Logger, job.ExportId, job.JobId, decision.Job.ExportStatus ?? "UNKNOWN", decision.Job.PollCount, decision.Next!.Delay.TotalMilliseconds);
            }

            return ExportStepResult.Of(ExportStepOutcome.Advanced, decision.Job, decision.Next!);
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
                        Reason = $"Export '{job.ExportId}' did not finish within {Options.Polling.TotalWait} (still {statusText} after {pollCount} polls). SailPoint may be busy: start a new export job later, or raise Exports:Polling:TotalWait.",
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
