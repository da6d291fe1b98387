namespace RoleMining.Exports;

/// <summary>How a step execution ended.</summary>
public enum ExportStepOutcome
{
    /// <summary>The job moved on; the next message is scheduled.</summary>
    Advanced = 0,

    /// <summary>Another execution holds the job; the same message is scheduled again for when its lease runs out.</summary>
    Deferred,

    /// <summary>The message was stale (a duplicate, or for a job that moved on); nothing changed.</summary>
    Duplicate,

    /// <summary>The message was delivered again after it had moved the job on; its follow-up was sent again in case it was lost.</summary>
    FollowUpResent,

    /// <summary>The job succeeded.</summary>
    Succeeded,

    /// <summary>The job failed (see <see cref="ExportJob.Failure"/>).</summary>
    Failed,

    /// <summary>There is no such job.</summary>
    JobNotFound,

    /// <summary>The step's lease on the job ran out while it worked; another execution owns the job, this one's work was dropped.</summary>
    LeaseLost,

    /// <summary>The step got no clear answer (an uncertain start) and scheduled itself again for later.</summary>
    Rescheduled,

    /// <summary>The completion callback was delivered.</summary>
    CallbackDelivered,

    /// <summary>A callback attempt failed; the next one is scheduled with backoff.</summary>
    CallbackRetryScheduled,

    /// <summary>The callback was given up (refused for good, or every attempt failed); the job shows why.</summary>
    CallbackFailed,
}

/// <summary>What a step did and which messages to send next.</summary>
public sealed record ExportStepResult
{
    /// <summary>How the step ended.</summary>
    public required ExportStepOutcome Outcome { get; init; }

    /// <summary>The messages to send (with their delays).</summary>
    public IReadOnlyList<ScheduledExportMessage> Messages { get; init; } = [];

    /// <summary>The job as the step left it, when it read one.</summary>
    public ExportJob? Job { get; init; }

    internal static ExportStepResult Of(ExportStepOutcome outcome, ExportJob? job, params ScheduledExportMessage[] messages) =>
        new() { Outcome = outcome, Job = job, Messages = messages };
}
