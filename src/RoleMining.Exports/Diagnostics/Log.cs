using Microsoft.Extensions.Logging;

namespace RoleMining.Exports.Diagnostics;

/// <summary>Source-generated log messages of the workflow: structured properties, never a secret.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Debug, Message = "{Step} step of job {JobId}: message {MessageId} (sequence {Sequence}, delivery {Attempt})")]
    public static partial void StepReceived(ILogger logger, ExportStep step, string jobId, string messageId, int sequence, long attempt);

    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "{Step} step of job {JobId} ended {Outcome}; job is {State} (session {SessionId}, potential role {PotentialRoleId}, export {ExportId})")]
    public static partial void StepCompleted(ILogger logger, ExportStep step, string jobId, ExportStepOutcome outcome, ExportJobState? state, string? sessionId, string? potentialRoleId, string? exportId);

    [LoggerMessage(EventId = 102, Level = LogLevel.Debug, Message = "{Step} message {MessageId} of job {JobId} is a duplicate (sequence {Sequence}, job at {JobSequence}, {State}); dropped")]
    public static partial void DuplicateDropped(ILogger logger, ExportStep step, string messageId, string jobId, int sequence, int jobSequence, ExportJobState state);

    [LoggerMessage(EventId = 103, Level = LogLevel.Warning, Message = "{Step} message {MessageId} of job {JobId} was delivered again after it moved the job on: sending the {NextStep} message again in case it was lost")]
    public static partial void FollowUpResent(ILogger logger, ExportStep step, string messageId, string jobId, ExportStep nextStep);

    [LoggerMessage(EventId = 104, Level = LogLevel.Debug, Message = "{Step} step of job {JobId} deferred by {DelayMs:0} ms: another execution holds the job until {LeaseExpiresAt:O}")]
    public static partial void Deferred(ILogger logger, ExportStep step, string jobId, double delayMs, DateTimeOffset leaseExpiresAt);

    [LoggerMessage(EventId = 105, Level = LogLevel.Warning, Message = "{Step} step of job {JobId} takes over: the previous holder's lease ran out at {LeaseExpiresAt:O} (it crashed or stalled)")]
    public static partial void LeaseTakenOver(ILogger logger, ExportStep step, string jobId, DateTimeOffset leaseExpiresAt);

    [LoggerMessage(EventId = 134, Level = LogLevel.Warning, Message = "SailPoint started export {ExportId} for job {JobId}, but recording it failed (try {Try}); trying again in {DelayMs} ms")]
    public static partial void ExportIdRecordRetry(ILogger logger, string exportId, string jobId, int @try, double delayMs, Exception exception);

    [LoggerMessage(EventId = 135, Level = LogLevel.Error, Message = "SailPoint started export {ExportId} for job {JobId}, but it could not be recorded; the job is started again once its lease runs out, which leaves this export unused in SailPoint")]
    public static partial void ExportIdNotRecorded(ILogger logger, string exportId, string jobId, Exception exception);

    [LoggerMessage(EventId = 138, Level = LogLevel.Information, Message = "Job {JobId} was leased for its {Step} step by an earlier process, until {LeaseExpiresAt:O}; that lease is ended now, so the job goes on at once")]
    public static partial void EarlierProcessLeaseEnded(ILogger logger, string jobId, ExportStep step, DateTimeOffset leaseExpiresAt);

    [LoggerMessage(EventId = 136, Level = LogLevel.Warning, Message = "An earlier start of job {JobId} ended without recording its outcome (its lease ran out at {LeaseExpiresAt:O}); starting the export again, which leaves one unused export in SailPoint if the earlier call had been accepted")]
    public static partial void InterruptedStartFound(ILogger logger, string jobId, DateTimeOffset leaseExpiresAt);

    [LoggerMessage(EventId = 137, Level = LogLevel.Warning, Message = "Callback {CallbackName} of job {JobId} was called, but recording its outcome failed (try {Try}); trying again in {DelayMs} ms")]
    public static partial void CallbackRecordRetry(ILogger logger, string jobId, string callbackName, int @try, double delayMs, Exception exception);

    [LoggerMessage(EventId = 106, Level = LogLevel.Information, Message = "SailPoint started export {ExportId} for job {JobId} (session {SessionId}, potential role {PotentialRoleId})")]
    public static partial void ExportStarted(ILogger logger, string exportId, string jobId, string sessionId, string potentialRoleId);

    [LoggerMessage(EventId = 107, Level = LogLevel.Debug, Message = "Export {ExportId} of job {JobId} is {ExportStatus} after {PollCount} poll(s); next poll in {DelayMs:0} ms")]
    public static partial void ExportPending(ILogger logger, string exportId, string jobId, string exportStatus, int pollCount, double delayMs);

    [LoggerMessage(EventId = 108, Level = LogLevel.Warning, Message = "Job {JobId} failed in its {Step} step ({FailureKind}): {Reason} (session {SessionId}, potential role {PotentialRoleId}, export {ExportId})")]
    public static partial void JobFailed(ILogger logger, string jobId, ExportStep step, ExportFailureKind failureKind, string reason, string sessionId, string potentialRoleId, string? exportId);

    [LoggerMessage(EventId = 109, Level = LogLevel.Information, Message = "Job {JobId} succeeded: export {ExportId} stored as {ZipBytes} bytes and {FileCount} file(s) in {Folder}")]
    public static partial void JobSucceeded(ILogger logger, string jobId, string exportId, long zipBytes, int fileCount, string folder);

    [LoggerMessage(EventId = 110, Level = LogLevel.Warning, Message = "{Step} step of job {JobId} failed on attempt {Attempt}: {Error}")]
    public static partial void StepAttemptFailed(ILogger logger, ExportStep step, string jobId, int attempt, string error, Exception exception);

    [LoggerMessage(EventId = 111, Level = LogLevel.Warning, Message = "{Step} step of job {JobId} lost its lease before it could record its work (export {ExportId}); another execution owns the job now")]
    public static partial void LeaseLost(ILogger logger, ExportStep step, string jobId, string? exportId);

    [LoggerMessage(EventId = 112, Level = LogLevel.Error, Message = "{Step} message {MessageId} of job {JobId} is poison after {Attempts} attempt(s): {Error}")]
    public static partial void Poisoned(ILogger logger, ExportStep step, string messageId, string jobId, long attempts, string error);

    [LoggerMessage(EventId = 113, Level = LogLevel.Information, Message = "Created export job {JobId} for session {SessionId}, potential role {PotentialRoleId} ({Options})")]
    public static partial void JobCreated(ILogger logger, string jobId, string sessionId, string potentialRoleId, string options);

    [LoggerMessage(EventId = 114, Level = LogLevel.Information, Message = "Idempotency key matched existing export job {JobId} ({State})")]
    public static partial void JobReused(ILogger logger, string jobId, ExportJobState state);

    [LoggerMessage(EventId = 115, Level = LogLevel.Information, Message = "Resumed job {JobId}: {Step} message (sequence {Sequence}) sent again, due in {DelayMs:0} ms")]
    public static partial void JobResumed(ILogger logger, string jobId, ExportStep step, int sequence, double delayMs);

    [LoggerMessage(EventId = 116, Level = LogLevel.Information, Message = "{Step} step of job {JobId} will be retried (attempt {Attempt} of {MaxAttempts}) in {DelayMs:0} ms")]
    public static partial void RetryScheduled(ILogger logger, ExportStep step, string jobId, long attempt, int maxAttempts, double delayMs);

    [LoggerMessage(EventId = 117, Level = LogLevel.Warning, Message = "Could not renew the lease of job {JobId}; will try again")]
    public static partial void LeaseRenewalFailed(ILogger logger, string jobId, Exception exception);

    [LoggerMessage(EventId = 130, Level = LogLevel.Warning, Message = "Could not read job {JobId} to check its lease; taken as not held: its folder is emptied only if its failure can still be written")]
    public static partial void LeaseCheckFailed(ILogger logger, string jobId, Exception exception);

    [LoggerMessage(EventId = 131, Level = LogLevel.Warning, Message = "Job {JobId} is failed as poison without knowing whether its export was published: its manifest could not be read; its files are left as they are")]
    public static partial void PoisonManifestUnreadable(ILogger logger, string jobId, Exception exception);

    [LoggerMessage(EventId = 118, Level = LogLevel.Information, Message = "Sweep plan: {ToStart} export(s) to start, {Skipped} potential role(s) already exported or running, {Sessions} session(s) selected")]
    public static partial void SweepPlanned(ILogger logger, int toStart, int skipped, int sessions);

    [LoggerMessage(EventId = 119, Level = LogLevel.Information, Message = "Job {JobId} adopted its already published files (manifest found for export {ExportId})")]
    public static partial void ManifestAdopted(ILogger logger, string jobId, string exportId);

    [LoggerMessage(EventId = 120, Level = LogLevel.Warning, Message = "Could not remove staging files of job {JobId}")]
    public static partial void StagingCleanupFailed(ILogger logger, string jobId, Exception exception);

    [LoggerMessage(EventId = 121, Level = LogLevel.Warning, Message = "Sweep skipped session {SessionId}: {Reason}")]
    public static partial void SweepSessionSkipped(ILogger logger, string sessionId, string reason);

    [LoggerMessage(EventId = 122, Level = LogLevel.Warning, Message = "Start of job {JobId} failed without a clear answer; trying again (retry {Retry} of {MaxRetries}) in {DelayMs:0} ms: {Error}")]
    public static partial void UncertainStartRetryScheduled(ILogger logger, string jobId, int retry, int maxRetries, double delayMs, string error);

    [LoggerMessage(EventId = 128, Level = LogLevel.Warning, Message = "Poison {Step} message {MessageId} of job {JobId} sent again for when the lease held until {LeaseExpiresAt:O} runs out")]
    public static partial void PoisonDeferredToHolder(ILogger logger, ExportStep step, string messageId, string jobId, DateTimeOffset leaseExpiresAt);

    [LoggerMessage(EventId = 129, Level = LogLevel.Warning, Message = "Job {JobId} was given up, but removing what its unfinished runs left failed; the files stay until it is exported again")]
    public static partial void GiveUpCleanupFailed(ILogger logger, string jobId, Exception exception);

    [LoggerMessage(EventId = 127, Level = LogLevel.Warning, Message = "{Step} step of job {JobId} failed for a passing reason; retry {Retry} of {MaxRetries} in {DelayMs:0} ms ({Settings}): {Error}")]
    public static partial void TransientRetryScheduled(ILogger logger, ExportStep step, string jobId, int retry, int maxRetries, double delayMs, string settings, string error);

    [LoggerMessage(EventId = 123, Level = LogLevel.Warning, Message = "Job {JobId} was stalled in {State} ({Reason}); its {Step} message (sequence {Sequence}) is sent again")]
    public static partial void StalledJobResumed(ILogger logger, string jobId, ExportJobState state, string reason, ExportStep step, int sequence);

    [LoggerMessage(EventId = 124, Level = LogLevel.Information, Message = "Zip of export {ExportId} (job {JobId}) cannot be verified while it streams ({Reason}); verifying the stored copy instead")]
    public static partial void ArchiveVerifiedFromStorage(ILogger logger, string exportId, string jobId, string reason);

    [LoggerMessage(EventId = 125, Level = LogLevel.Information, Message = "Zip of export {ExportId} (job {JobId}) downloaded, verified and staged in {DownloadMs:0} ms ({ZipBytes} bytes read in {ZipPasses} pass(es)); published in {PublishMs:0} ms")]
    public static partial void ExportStored(ILogger logger, string exportId, string jobId, double downloadMs, long zipBytes, int zipPasses, double publishMs);

    [LoggerMessage(EventId = 126, Level = LogLevel.Information, Message = "Completion callback {Callback} of job {JobId}, attempt {Attempt}: {State} {Error}")]
    public static partial void CallbackAttempted(ILogger logger, string jobId, string callback, int attempt, ExportCallbackState state, string? error);

    [LoggerMessage(EventId = 133, Level = LogLevel.Warning, Message = "Could not give back the lease of job {JobId} when stopping; whoever takes the job over waits for it to run out")]
    public static partial void LeaseReleaseFailed(ILogger logger, string jobId, Exception exception);

    // A warning: whoever waits for the callback (a SailPoint Workflow, a Logic App) never learns that the export ended.
    [LoggerMessage(EventId = 132, Level = LogLevel.Warning, Message = "Completion callback {Callback} of job {JobId} given up after {Attempts} attempt(s): {Error} The job is {JobState}; whoever waits for the callback is not told")]
    public static partial void CallbackGivenUp(ILogger logger, string jobId, string callback, int attempts, string? error, ExportJobState jobState);
}
