using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RoleMining.Exports.Diagnostics;

namespace RoleMining.Exports;

/// <summary>
/// Calls the completion callback of an ended job. A delivery is claimed on the job first (a lease and the attempt counted,
/// with the job's ETag), so that two copies of the message never call at once; then the sender calls once; then the
/// outcome is written: delivered, or the next attempt scheduled with backoff, or given up after
/// <see cref="ExportCallbackRetryOptions.MaxAttempts"/> or a refusal that another attempt cannot change. A message for a
/// callback that is no longer pending changes nothing, so a redelivered message never calls twice. Only a crash between the
/// receiver's answer and the write (or a store that cannot take the write for longer than its retries) can repeat a call
/// (after the lease runs out); the body carries the job id for the receiver to recognise it.
/// </summary>
public sealed class CallbackExportStep : ExportStepBase
{
    private readonly IExportCallbackSender _sender;

    /// <summary>Creates the step.</summary>
    public CallbackExportStep(IExportJobStore jobs, IExportCallbackSender sender, IOptions<ExportWorkflowOptions> options, TimeProvider timeProvider, ILogger<CallbackExportStep> logger)
        : base(jobs, options, timeProvider, logger)
    {
        ArgumentNullException.ThrowIfNull(sender);
        _sender = sender;
    }

    /// <inheritdoc />
    public override ExportStep HandledStep => ExportStep.Callback;

    /// <inheritdoc />
    public override async Task<ExportStepResult> ExecuteAsync(ExportMessage message, ExportDelivery delivery, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(delivery);
        while (true)
        {
            var stored = await Jobs.GetAsync(message.JobId, cancellationToken).ConfigureAwait(false);
            if (stored is null)
            {
                return ExportStepResult.Of(ExportStepOutcome.JobNotFound, null);
            }

            var job = stored.Job;
            if (!job.IsTerminal || job.Callback is not { State: ExportCallbackState.Pending } callback)
            {
                return ExportStepResult.Of(ExportStepOutcome.Duplicate, job);
            }

            var now = TimeProvider.GetUtcNow();
            var wait = job.Lease is { } lease && lease.ExpiresAt > now ? lease.ExpiresAt - now
                : callback.NextAttemptAt is { } due && due > now ? due - now
                : TimeSpan.Zero;
            if (wait > TimeSpan.Zero)
            {
                // Another copy is calling, or this copy came early: come back when the call is over or due.
                return ExportStepResult.Of(ExportStepOutcome.Deferred, job, new ScheduledExportMessage(message, wait + TimeSpan.FromMilliseconds(50)));
            }

            var claimed = job with
            {
                Lease = NewLease(),
                Callback = callback with { Attempts = callback.Attempts + 1, LastAttemptAt = now, NextAttemptAt = null },
                UpdatedAt = now,
            };
            var written = await Jobs.TryReplaceAsync(claimed, stored.ETag, cancellationToken).ConfigureAwait(false);
            if (written is null)
            {
                continue;
            }

            ExportCallbackDelivery outcome;
            try
            {
                outcome = await _sender.SendAsync(claimed, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                outcome = ExportCallbackDelivery.Transient(Describe(exception));
            }

            return await RecordAsync(message, written, outcome).ConfigureAwait(false);
        }
    }

    private async Task<ExportStepResult> RecordAsync(ExportMessage message, StoredExportJob claimed, ExportCallbackDelivery outcome)
    {
        var callback = claimed.Job.Callback!;
        var now = TimeProvider.GetUtcNow();
        var retry = !outcome.Delivered && outcome.Retryable && callback.Attempts < Options.Callbacks.MaxAttempts;
        var delay = retry ? Options.Callbacks.DelayAfter(callback.Attempts) : TimeSpan.Zero;
        var recorded = callback with
        {
            State = outcome.Delivered ? ExportCallbackState.Delivered : retry ? ExportCallbackState.Pending : ExportCallbackState.Failed,
            DeliveredAt = outcome.Delivered ? now : null,
            NextAttemptAt = retry ? now + delay : null,
            LastError = outcome.Delivered ? null : outcome.Error,
        };

        // The write is not cancelled with the invocation: the call happened, and the job must say so. A failed write is
        // tried again within the lease: lost, it would leave the callback pending for another call.
        var stored = claimed;
        var retries = OutcomeWriteRetries((@try, delay, exception) => Log.CallbackRecordRetry(Logger, claimed.Job.JobId, callback.Name, @try, delay.TotalMilliseconds, exception));
        while (true)
        {
            var job = stored.Job with { Lease = null, Callback = recorded, UpdatedAt = now };
            var etag = stored.ETag;
            if (await retries.ExecuteAsync(async token => await Jobs.TryReplaceAsync(job, etag, token).ConfigureAwait(false), CancellationToken.None).ConfigureAwait(false) is not null)
            {
                Log.CallbackAttempted(Logger, job.JobId, callback.Name, callback.Attempts, recorded.State, outcome.Error);
                if (recorded.State == ExportCallbackState.Failed)
                {
                    Log.CallbackGivenUp(Logger, job.JobId, callback.Name, recorded.Attempts, outcome.Error, job.State);
                }

                if (outcome.Delivered)
                {
                    return ExportStepResult.Of(ExportStepOutcome.CallbackDelivered, job);
                }

                return retry
                    ? ExportStepResult.Of(ExportStepOutcome.CallbackRetryScheduled, job, new ScheduledExportMessage(ExportMessage.Create(ExportStep.Callback, job.JobId, job.Sequence, now), delay))
                    : ExportStepResult.Of(ExportStepOutcome.CallbackFailed, job);
            }

            // Changed meanwhile (a lease renewal elsewhere cannot happen: the lease is this step's). Re-read and write the
            // outcome unless the callback was settled by another copy after this one's lease ran out.
            var fresh = await Jobs.GetAsync(message.JobId, CancellationToken.None).ConfigureAwait(false);
            if (fresh is null || fresh.Job.Callback is not { State: ExportCallbackState.Pending }
                || (fresh.Job.Lease is { } other && other.LeaseId != claimed.Job.Lease?.LeaseId))
            {
                // Settled by another copy, or claimed by one after this one's lease ran out (the lease of a call is not
                // renewed): that copy records its own call; overwriting its claim would let it call once more.
                return ExportStepResult.Of(ExportStepOutcome.Duplicate, fresh?.Job);
            }

            stored = fresh;
        }
    }
}
