using System.Text.Json.Serialization;

namespace RoleMining.Exports;

/// <summary>
/// One export of one potential role: the JSON document a job store keeps, read by status endpoints and updated by the
/// steps with optimistic concurrency. Besides what a reader wants (state, times, export id, artifacts, failure), it keeps
/// the bookkeeping that makes at-least-once delivery safe: the <see cref="Sequence"/> of the one message that may move it
/// on, the message that last moved it, and the <see cref="Lease"/> of a step at work.
/// </summary>
public sealed record ExportJob
{
    /// <summary>Job id: 32 lowercase hex characters.</summary>
    public required string JobId { get; init; }

    /// <summary>The role-mining session.</summary>
    public required string SessionId { get; init; }

    /// <summary>The potential role.</summary>
    public required string PotentialRoleId { get; init; }

    /// <summary>The export parameters sent to SailPoint.</summary>
    public ExportRequestOptions Options { get; init; } = ExportRequestOptions.Default;

    /// <summary>The caller's idempotency key, when the job was created with one.</summary>
    public string? IdempotencyKey { get; init; }

    /// <summary>Where the job is.</summary>
    public ExportJobState State { get; init; }

    /// <summary>When the job was created.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the job document last changed.</summary>
    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>When a start step first claimed the job.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>When the job reached <see cref="ExportJobState.Succeeded"/> or <see cref="ExportJobState.Failed"/>.</summary>
    public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>Attempts at the current stage (start, poll, download); reset when the job moves on.</summary>
    public int Attempts { get; init; }

    /// <summary>
    /// Executions that claimed the job at its current stage, finished or not; reset when the job moves on. A run that never
    /// ends (the function timed out, its worker was stopped or died) records no attempt and leaves no poison message (its
    /// message comes back deferred or resumed, as a new one), so this count is what ends a step that can never finish:
    /// see <see cref="ExportWorkflowOptions.MaxAttempts"/>.
    /// </summary>
    public int Claims { get; init; }

    /// <summary>The last error a step met, kept for the failure reason of a poison message.</summary>
    public string? LastError { get; init; }

    /// <summary>The SailPoint error behind <see cref="LastError"/>, when SailPoint caused it (copied to the failure).</summary>
    public ExportSailPointError? LastSailPointError { get; init; }

    /// <summary>Starts that failed without a clear answer and were tried again later (see <c>Exports:UncertainStart</c>).</summary>
    public int UncertainStarts { get; init; }

    /// <summary>
    /// Retries in a row of the current step after SailPoint failed it for a passing reason (see
    /// <c>Exports:TransientRetry</c>); back to 0 when a step moves the job on.
    /// </summary>
    public int TransientRetries { get; init; }

    /// <summary>SailPoint's export id, once SailPoint accepted the export.</summary>
    public string? ExportId { get; init; }

    /// <summary>The last export status SailPoint reported (<c>QUEUED</c>, <c>IN_PROGRESS</c>, <c>SUCCESS</c>, <c>ERROR</c>).</summary>
    public string? ExportStatus { get; init; }

    /// <summary>Status polls made so far.</summary>
    public int PollCount { get; init; }

    /// <summary>When polling began: the total wait is measured from here.</summary>
    public DateTimeOffset? PollingSince { get; init; }

    /// <summary>The stored files; filled when the job succeeds.</summary>
    public IReadOnlyList<ExportArtifact> Artifacts { get; init; } = [];

    /// <summary>Why the job failed; null unless <see cref="State"/> is <see cref="ExportJobState.Failed"/>.</summary>
    public ExportFailure? Failure { get; init; }

    /// <summary>The sequence number of the one message that may move the job on; any other is a stale duplicate.</summary>
    public int Sequence { get; init; } = 1;

    /// <summary>The step the message with <see cref="Sequence"/> runs.</summary>
    public ExportStep NextStep { get; init; } = ExportStep.Start;

    /// <summary>When that message is due (it was sent with a delay up to this time).</summary>
    public DateTimeOffset? NextStepDueAt { get; init; }

    /// <summary>The id of the message whose step last moved the job on (see <see cref="ExportMessage.MessageId"/>).</summary>
    public string? AdvancedByMessageId { get; init; }

    /// <summary>The claim of a step at work, if any.</summary>
    public ExportJobLease? Lease { get; init; }

    /// <summary>The failed job whose finished SailPoint export this job downloads instead of starting its own, if any.</summary>
    public string? ExportReusedFrom { get; init; }

    /// <summary>
    /// Whether a new job may follow this failed job's SailPoint export rather than start another: SailPoint finished it
    /// and only the download or storing its files failed (a full disk, a download that kept breaking), or it was still
    /// running when the job stopped waiting for it (<see cref="ExportFailureKind.PollTimeout"/>: starting another would
    /// make SailPoint do the same work twice). A new job checks its status first, so an export SailPoint no longer serves
    /// fails that job, and the one after it starts afresh; so does the one after an export that ran out of time twice.
    /// </summary>
    [JsonIgnore]
    public bool CanReuseExport =>
        State == ExportJobState.Failed
        && ExportId is not null
        && (Failure is { Step: ExportStep.Download, Kind: ExportFailureKind.StorageFull or ExportFailureKind.RepeatedFailure }
            || (Failure is { Step: ExportStep.Poll, Kind: ExportFailureKind.PollTimeout } && ExportReusedFrom is null));

    /// <summary>When the job was last found stalled and its message sent again (see <see cref="ExportJobService.ResumeAsync"/>).</summary>
    public DateTimeOffset? ResumedAt { get; init; }

    /// <summary>How many times the job was found stalled and its message sent again.</summary>
    public int Resumes { get; init; }

    /// <summary>The completion callback the start request named, and how its delivery goes; null without one.</summary>
    public ExportCallback? Callback { get; init; }

    /// <summary>
    /// W3C <c>traceparent</c> of the span that created the job (null where nothing traced): its trace id finds the whole
    /// export in the tracing backend, and a message re-sent for the job continues that trace.
    /// </summary>
    public string? TraceParent { get; init; }

    /// <summary>Whether the job has a completion callback not delivered or given up yet.</summary>
    [JsonIgnore]
    public bool HasPendingCallback => Callback is { State: ExportCallbackState.Pending };

    /// <summary>Whether the job is final.</summary>
    [JsonIgnore]
    public bool IsTerminal => State is ExportJobState.Succeeded or ExportJobState.Failed;

    /// <summary>
    /// Whether the job waits in vain: its step's lease ran out (the holder died or hung; a live holder renews it), or, with
    /// no lease, the message it waits for has been due for <paramref name="stallTimeout"/> without being claimed (lost, or
    /// taken by an instance that died before claiming). A job sent again less than <paramref name="stallTimeout"/> ago is
    /// given that long to move first.
    /// </summary>
    public bool IsStalled(DateTimeOffset now, TimeSpan stallTimeout)
    {
        if (IsTerminal || ResumedAt is { } resumed && resumed + stallTimeout > now)
        {
            return false;
        }

        if (Lease is { } lease)
        {
            return lease.ExpiresAt <= now;
        }

        var waitingSince = NextStepDueAt is { } due && due > UpdatedAt ? due : UpdatedAt;
        return waitingSince + stallTimeout <= now;
    }

    /// <summary>Whether the job is on its way or done well: the sweep does not start another export for its role.</summary>
    [JsonIgnore]
    public bool IsActiveOrSucceeded => State != ExportJobState.Failed;
}
