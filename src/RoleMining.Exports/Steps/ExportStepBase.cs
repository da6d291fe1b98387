using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;
using RoleMining.Exports.Diagnostics;
using RoleMining.SailPoint;

namespace RoleMining.Exports;

/// <summary>
/// What every step shares: admitting a message (is it the one the job waits for, a stale duplicate, or the redelivery of
/// a message whose follow-up may have been lost?), moving the job on, failing it, claiming it with a lease, and recording
/// a failed attempt. Every write names the ETag it read; on a conflict the step re-reads and decides again.
/// </summary>
public abstract class ExportStepBase : IExportStep
{
    /// <summary>The longest wait before a transient retry that a refusal's RetryAfter can ask for.</summary>
    private static readonly TimeSpan MaxServerRequestedWait = TimeSpan.FromHours(1);

    private const int MaxErrorLength = 2000;

    /// <summary>Creates the step.</summary>
    protected ExportStepBase(IExportJobStore jobs, IOptions<ExportWorkflowOptions> options, TimeProvider timeProvider, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        Jobs = jobs;
        Options = options.Value;
        TimeProvider = timeProvider;
        Logger = logger;
    }

    /// <inheritdoc />
    public abstract ExportStep HandledStep { get; }

    /// <summary>The job store.</summary>
    protected IExportJobStore Jobs { get; }

    /// <summary>The workflow settings.</summary>
    protected ExportWorkflowOptions Options { get; }

    /// <summary>The clock.</summary>
    protected TimeProvider TimeProvider { get; }

    /// <summary>The logger.</summary>
    protected ILogger Logger { get; }

    /// <inheritdoc />
    public abstract Task<ExportStepResult> ExecuteAsync(ExportMessage message, ExportDelivery delivery, CancellationToken cancellationToken = default);

    /// <summary>
    /// Reads the job and decides whether <paramref name="message"/> may act on it. Returns the job when it may; otherwise
    /// the result to return (job missing, stale duplicate, or the follow-up sent again).
    /// </summary>
    protected async Task<(StoredExportJob? Job, ExportStepResult? Result)> AdmitAsync(ExportMessage message, ExportDelivery delivery, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(delivery);
        var stored = await Jobs.GetAsync(message.JobId, cancellationToken).ConfigureAwait(false);
        if (stored is null)
        {
            return (null, ExportStepResult.Of(ExportStepOutcome.JobNotFound, null));
        }

        var job = stored.Job;
        if (!job.IsTerminal && message.Sequence == job.Sequence && message.Step == job.NextStep)
        {
            return (stored, null);
        }

        if (!job.IsTerminal && delivery.DequeueCount > 1 && message.Sequence == job.Sequence - 1
            && string.Equals(job.AdvancedByMessageId, message.MessageId, StringComparison.Ordinal))
        {
            // This very message moved the job on and is delivered again, so its handler may have died before sending
            // the follow-up. Sending it again is safe: of two copies of one sequence, only one can move the job. A first
            // delivery (a copy sent twice) cannot be such a retry, and is dropped like any other duplicate.
            Log.FollowUpResent(Logger, message.Step, message.MessageId, job.JobId, job.NextStep);
            var now = TimeProvider.GetUtcNow();
            var delay = job.NextStepDueAt is { } due && due > now ? due - now : TimeSpan.Zero;
            var followUp = new ScheduledExportMessage(ExportMessage.Create(job.NextStep, job.JobId, job.Sequence, now), delay);
            return (null, ExportStepResult.Of(ExportStepOutcome.FollowUpResent, job, followUp));
        }

        Log.DuplicateDropped(Logger, message.Step, message.MessageId, job.JobId, message.Sequence, job.Sequence, job.State);
        return (null, ExportStepResult.Of(ExportStepOutcome.Duplicate, job));
    }

    /// <summary>
    /// The job moved on to <paramref name="state"/>, waiting for a <paramref name="nextStep"/> message after
    /// <paramref name="delay"/>; returns the changed job and that message.
    /// </summary>
    protected (ExportJob Job, ScheduledExportMessage Next) Advance(ExportJob job, ExportMessage by, ExportJobState state, ExportStep nextStep, TimeSpan delay)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(by);
        var now = TimeProvider.GetUtcNow();
        var advanced = job with
        {
            State = state,
            Sequence = job.Sequence + 1,
            NextStep = nextStep,
            NextStepDueAt = now + delay,
            AdvancedByMessageId = by.MessageId,
            Attempts = 0,
            Claims = 0,
            TransientRetries = 0,
            LastError = null,
            // With the error it stood behind: kept, a SailPoint error the job got past would be reported (and advised on)
            // as the cause when a later step is given up without one (RepeatedFailureAdvice, failure.sailPointError).
            LastSailPointError = null,
            Lease = null,
            UpdatedAt = now,
        };
        return (advanced, new ScheduledExportMessage(ExportMessage.Create(nextStep, job.JobId, advanced.Sequence, now), delay));
    }

    /// <summary>
    /// The job failed for a reason a person can act on; <paramref name="exception"/>, when it caused the failure, becomes the
    /// last error and, if SailPoint raised it, the failure's <see cref="ExportFailure.SailPointError"/>.
    /// </summary>
    protected ExportJob Failed(ExportJob job, ExportFailureKind kind, string reason, Exception? exception = null)
    {
        ArgumentNullException.ThrowIfNull(job);
        var now = TimeProvider.GetUtcNow();
        var sailPointError = ExportSailPointError.From(exception);
        // Not logged here: this is the change a write may still refuse (a lost lease, a conflict that runs it again). The
        // workflow logs the failure once it is stored (ExportWorkflow.RecordOutcome).
        return job with
        {
            State = ExportJobState.Failed,
            Failure = new ExportFailure { Kind = kind, Reason = reason, Step = HandledStep, SailPointError = sailPointError },
            LastError = exception is null ? job.LastError : Describe(exception),
            LastSailPointError = exception is null ? job.LastSailPointError : sailPointError,
            Lease = null,
            CompletedAt = now,
            UpdatedAt = now,
        };
    }

    /// <summary>Fails the job this execution holds; a lost lease fails nothing (the new holder decides).</summary>
    internal async Task<ExportStepResult> FinishFailedAsync(ExportMessage message, JobLeaseHolder holder, ExportFailureKind kind, string reason, Exception? exception)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(holder);
        var written = await holder.FinishAsync(job => Failed(job, kind, reason, exception), CancellationToken.None).ConfigureAwait(false);
        if (written is null)
        {
            Log.LeaseLost(Logger, HandledStep, message.JobId, holder.Job.ExportId);
            return ExportStepResult.Of(ExportStepOutcome.LeaseLost, holder.Job);
        }

        return ExportStepResult.Of(ExportStepOutcome.Failed, written.Job);
    }

    /// <summary>
    /// Retries of a write that records what happened outside (SailPoint accepted a start, a receiver took a callback):
    /// lost, the next execution would do it again. Three retries after 1/20, 1/10 and 1/5 of the lease (3, 6 and 12 s
    /// for the default minute) on any failure but cancellation; they fit in what is left of a lease renewed every third of
    /// it (the start step's). Where the lease is not renewed (a callback's, held through the call) or has run out anyway,
    /// a write after another execution took the job over loses on its ETag and changes nothing.
    /// </summary>
    private protected ResiliencePipeline OutcomeWriteRetries(Action<int, TimeSpan, Exception> onRetry)
    {
        ArgumentNullException.ThrowIfNull(onRetry);
        return new ResiliencePipelineBuilder { TimeProvider = TimeProvider }
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = 3,
                Delay = Options.LeaseDuration / 20,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = false,
                ShouldHandle = arguments => ValueTask.FromResult(arguments.Outcome.Exception is { } exception and not OperationCanceledException),
                OnRetry = arguments =>
                {
                    onRetry(arguments.AttemptNumber + 1, arguments.RetryDelay, arguments.Outcome.Exception!);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    /// <summary>A lease for this execution, valid from now for the configured duration.</summary>
    protected ExportJobLease NewLease() => new()
    {
        LeaseId = Guid.NewGuid().ToString("N"),
        ExpiresAt = TimeProvider.GetUtcNow() + Options.LeaseDuration,
    };

    /// <summary>
    /// Admits <paramref name="message"/> and claims its job for this execution with a lease, deciding again after a write
    /// conflict. Returns the claimed job, or else the result to return: the job is missing, the message is stale, the job
    /// is not in a state this step acts on (<paramref name="actsOn"/>), or another execution's live lease defers it.
    /// </summary>
    protected async Task<(StoredExportJob? Claimed, ExportStepResult? Result)> AdmitAndClaimAsync(
        ExportMessage message, ExportDelivery delivery, Func<ExportJob, bool> actsOn, Func<ExportJob, ExportJob> claim, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actsOn);
        while (true)
        {
            var (stored, early) = await AdmitAsync(message, delivery, cancellationToken).ConfigureAwait(false);
            if (stored is null)
            {
                return (null, early);
            }

            if (!actsOn(stored.Job))
            {
                return (null, ExportStepResult.Of(ExportStepOutcome.Duplicate, stored.Job));
            }

            var (written, deferred) = await TryClaimAsync(message, stored, claim, cancellationToken).ConfigureAwait(false);
            if (deferred is not null || written is not null)
            {
                return (written, deferred);
            }
        }
    }

    /// <summary>
    /// Claims the admitted job for this execution, or tells to defer the message while another execution's lease is live.
    /// Null claim and null result: the write conflicted, re-admit and decide again.
    /// </summary>
    private async Task<(StoredExportJob? Claimed, ExportStepResult? Result)> TryClaimAsync(
        ExportMessage message, StoredExportJob stored, Func<ExportJob, ExportJob> claim, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(stored);
        ArgumentNullException.ThrowIfNull(claim);
        var job = stored.Job;
        var now = TimeProvider.GetUtcNow();
        if (job.Lease is { } lease)
        {
            if (lease.ExpiresAt > now)
            {
                // Someone is at work (or died recently): come back when the lease runs out, then take over if need be.
                var delay = lease.RunsOutAfter(now);
                Log.Deferred(Logger, HandledStep, job.JobId, delay.TotalMilliseconds, lease.ExpiresAt);
                return (null, ExportStepResult.Of(ExportStepOutcome.Deferred, job, new ScheduledExportMessage(message, delay)));
            }

            Log.LeaseTakenOver(Logger, HandledStep, job.JobId, lease.ExpiresAt);
        }

        if (job.Claims >= Options.MaxAttempts && !await HasFinishedAsync(job, cancellationToken).ConfigureAwait(false))
        {
            // Begun as often as a step may be tried, and still at this stage: the runs that never ended would otherwise
            // come back (resumed, or deferred as new messages that start counting deliveries afresh) for ever.
            var givenUp = await Jobs.TryReplaceAsync(GiveUpUnfinished(job), stored.ETag, cancellationToken).ConfigureAwait(false);
            if (givenUp is null)
            {
                return (null, null);
            }

            try
            {
                await OnGivenUpAsync(givenUp.Job).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // Best effort: the job has failed either way, and its callback must still go out.
                Log.GiveUpCleanupFailed(Logger, job.JobId, exception);
            }

            return (null, ExportStepResult.Of(ExportStepOutcome.Failed, givenUp.Job));
        }

        var claimed = claim(job) with { Lease = NewLease(), Claims = job.Claims + 1, UpdatedAt = now };
        var written = await Jobs.TryReplaceAsync(claimed, stored.ETag, cancellationToken).ConfigureAwait(false);
        return (written, null);
    }

    /// <summary>The job failed because its step was begun <see cref="ExportWorkflowOptions.MaxAttempts"/> times without moving it on.</summary>
    private ExportJob GiveUpUnfinished(ExportJob job)
    {
        var unfinished = Math.Max(job.Claims - job.Attempts, 0);
        const string NeverEnded = "never ended (each timed out, was stopped or died with its process)";
        var runs = unfinished == 0
            ? "every one of those runs failed."
            : unfinished >= job.Claims
                ? $"{unfinished} of those runs {NeverEnded}."
                : $"{unfinished} of those runs {NeverEnded}, the others failed.";
        var reason = $"The {HandledStep} step was begun {job.Claims} times and was given up: {runs} "
            + $"Last error: {job.LastError ?? "none was recorded."} "
            // When every run failed, the failures say what to fix; a run that never ended points at time (a review
            // against the Functions host saw refused credentials answered with "check that SailPoint answers promptly").
            + (unfinished == 0 && job.LastError is { } lastError
                ? RepeatedFailureAdvice.For(job, HandledStep, lastError)
                : RepeatedFailureAdvice.ForUnfinishedRuns(HandledStep));
        var failed = Failed(job, ExportFailureKind.RepeatedFailure, reason);
        // The SailPoint error behind the last failed run, as a job given up as poison has it (ExportWorkflow).
        return failed with { Failure = failed.Failure! with { SailPointError = job.LastSailPointError } };
    }

    /// <summary>Called after the job was given up at claim time (see <see cref="ExportJob.Claims"/>): a step removes what its
    /// unfinished runs may have left.</summary>
    private protected virtual Task OnGivenUpAsync(ExportJob failed) => Task.CompletedTask;

    /// <summary>Whether an unfinished run did finish the step's work after all (a download whose manifest was published
    /// before its run died): then the job is claimed and finished, not given up.</summary>
    private protected virtual Task<bool> HasFinishedAsync(ExportJob job, CancellationToken cancellationToken) => Task.FromResult(false);

    /// <summary>
    /// <see cref="AdmitAndClaimAsync"/>, then the claimed job's lease held (renewed) until the returned holder is disposed:
    /// how the steps that call SailPoint under a lease begin. Null with the result to return when the message does not act.
    /// </summary>
    internal async Task<(JobLeaseHolder? Holder, ExportStepResult? Result)> ClaimAndHoldAsync(
        ExportMessage message, ExportDelivery delivery, Func<ExportJob, bool> actsOn, Func<ExportJob, ExportJob> claim, CancellationToken cancellationToken)
    {
        var (claimed, early) = await AdmitAndClaimAsync(message, delivery, actsOn, claim, cancellationToken).ConfigureAwait(false);
        return claimed is null ? (null, early) : (HoldLease(claimed), null);
    }

    internal JobLeaseHolder HoldLease(StoredExportJob claimed) => new(claimed, Jobs, TimeProvider, Options.LeaseDuration, Logger);

    /// <summary>
    /// Records a failed attempt on the job this execution holds (last error, the SailPoint error behind it, attempt count)
    /// and gives up the lease, so that the retry does not wait for it to expire. Best effort: the retry happens whether or
    /// not this write succeeds.
    /// </summary>
    internal async Task RecordFailedAttemptAsync(ExportMessage message, Exception exception, JobLeaseHolder holder)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(exception);
        ArgumentNullException.ThrowIfNull(holder);
        var error = Describe(exception);
        try
        {
            var released = await holder.FinishAsync(job => job with
            {
                Lease = null,
                Attempts = job.Attempts + 1,
                LastError = error,
                LastSailPointError = ExportSailPointError.From(exception),
                UpdatedAt = TimeProvider.GetUtcNow(),
            }, CancellationToken.None).ConfigureAwait(false);
            Log.StepAttemptFailed(Logger, HandledStep, message.JobId, released?.Job.Attempts ?? 0, error, exception);
        }
        catch (Exception recordException) when (recordException is not OperationCanceledException)
        {
            // The original failure matters more; the message is retried either way.
            Log.StepAttemptFailed(Logger, HandledStep, message.JobId, 0, error, exception);
        }
    }

    /// <summary>
    /// After SailPoint failed the step for a passing reason (<see cref="IsTransient"/>): the job waits in
    /// <paramref name="waitingState"/> for the same step, sent again after a growing delay (<c>Exports:TransientRetry</c>),
    /// instead of failing the delivery, whose few quick redeliveries an outage of minutes would use up. Null when the
    /// failure is not passing or the retries are spent: the caller then records the attempt and rethrows.
    /// </summary>
    internal async Task<ExportStepResult?> TryRetryTransientLaterAsync(ExportMessage message, JobLeaseHolder holder, Exception exception, ExportJobState waitingState)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(holder);
        var settings = Options.TransientRetry;
        var job = holder.Job;
        if (!IsTransient(exception) || job.TransientRetries >= settings.MaxRetries)
        {
            return null;
        }

        var delay = PollBackoff.Delay(job.TransientRetries, settings.InitialDelay, settings.MaxDelay, settings.JitterRatio);
        if (exception is SailPointException { RetryAfter: { } retryAfter } && retryAfter > delay)
        {
            // An open circuit (or a rate limit, or SailPoint's Retry-After) says when a call can go through: a retry
            // before then would be refused without reaching SailPoint and use up the budget, so a short outage that
            // opened the circuit would fail every running export. The wait is spread (upwards, by the jitter) so that the
            // jobs do not all meet the circuit's one trial call; it may exceed TransientRetry:MaxDelay, which would
            // otherwise bring the retry back before the break is over, but not an hour (an absurd Retry-After).
            delay = TimeSpan.FromTicks(Math.Min(
                (long)(retryAfter.Ticks * (1 + (Random.Shared.NextDouble() * settings.JitterRatio))),
                MaxServerRequestedWait.Ticks));
        }

        var result = await RescheduleAfterFailureAsync(message, holder, exception, waitingState, delay,
            (current, waiting) => waiting with { TransientRetries = current.TransientRetries + 1 }).ConfigureAwait(false);
        if (result.Outcome == ExportStepOutcome.Rescheduled)
        {
            Log.TransientRetryScheduled(Logger, HandledStep, job.JobId, result.Job!.TransientRetries, settings.MaxRetries, delay.TotalMilliseconds, Options.Setting("TransientRetry"), Describe(exception));
        }

        return result;
    }

    /// <summary>
    /// Sends the step of <paramref name="message"/> again after <paramref name="delay"/>, the job waiting in
    /// <paramref name="waitingState"/> with the failure recorded, and counted by <paramref name="count"/> (given the job
    /// as it was and as it waits). Rescheduled, or LeaseLost when the job changed under the lease.
    /// </summary>
    private protected async Task<ExportStepResult> RescheduleAfterFailureAsync(
        ExportMessage message, JobLeaseHolder holder, Exception exception, ExportJobState waitingState, TimeSpan delay, Func<ExportJob, ExportJob, ExportJob> count)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(holder);
        ArgumentNullException.ThrowIfNull(count);
        ScheduledExportMessage? retry = null;
        var written = await holder.FinishAsync(current =>
        {
            var (waiting, next) = Advance(current, message, waitingState, message.Step, delay);
            retry = next;
            return count(current, waiting) with
            {
                LastError = Describe(exception),
                LastSailPointError = ExportSailPointError.From(exception),
            };
        }, CancellationToken.None).ConfigureAwait(false);
        if (written is null)
        {
            Log.LeaseLost(Logger, HandledStep, message.JobId, holder.Job.ExportId);
            return ExportStepResult.Of(ExportStepOutcome.LeaseLost, holder.Job);
        }

        return ExportStepResult.Of(ExportStepOutcome.Rescheduled, written.Job, retry!);
    }

    /// <summary>
    /// Whether SailPoint failed for a passing reason: no answer (unreachable, timed out, an open circuit, the rate limit),
    /// 408, 429 or a 5xx (the token endpoint's included), or the download's connection broke or went silent.
    /// </summary>
    internal static bool IsTransient(Exception exception) => exception switch
    {
        SailPointException { Status: { } status } => status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)status >= 500,
        // A host name that does not resolve is a typo far more often than an outage (the client does not retry it either).
        SailPointException { InnerException: HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError } } => false,
        SailPointException sailPoint => sailPoint.Kind is SailPointErrorKind.Transport or SailPointErrorKind.Timeout or SailPointErrorKind.CircuitOpen or SailPointErrorKind.RateLimited,
        // The download's body: cut off, reset or silent (IdleTimeoutReadStream reports every one as an HttpIOException).
        HttpIOException => true,
        // A zip cut short or damaged on its way (a second download is expected to be whole).
        InvalidExportArchiveException { IsTransient: true } => true,
        _ => false,
    };

    /// <summary>A one-line description of a failure, without secrets (SailPoint exceptions never carry any).</summary>
    protected internal static string Describe(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return Truncate($"{exception.GetType().Name}: {exception.Message}");
    }

    /// <summary>Whether a failed read (status, download) says the export is gone for good, not that the call failed.</summary>
    protected static bool IsGone(SailPointException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception.Status is HttpStatusCode.NotFound or HttpStatusCode.Gone;
    }

    private static string Truncate(string text) => text.Length <= MaxErrorLength ? text : text[..MaxErrorLength] + "...";
}
