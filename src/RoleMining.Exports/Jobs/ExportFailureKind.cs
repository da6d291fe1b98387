namespace RoleMining.Exports;

/// <summary>Why a job failed, in a form a caller can branch on; <see cref="ExportFailure.Reason"/> says it in words.</summary>
public enum ExportFailureKind
{
    /// <summary>SailPoint refused to start the export (e.g. the session or potential role does not exist).</summary>
    StartRejected = 0,

    /// <summary>
    /// The call that starts the export failed without a clear answer (5xx, timeout, broken connection) more often than
    /// <c>Exports:UncertainStart:MaxRetries</c> allows: SailPoint may or may not have started an export each time. Each
    /// retry came after <c>Exports:UncertainStart:RetryDelay</c> and risked one orphaned duplicate export in SailPoint.
    /// </summary>
    StartUncertain,

    /// <summary>SailPoint finished the export with status <c>ERROR</c>.</summary>
    ExportError,

    /// <summary>The export did not finish within the configured total wait.</summary>
    PollTimeout,

    /// <summary>SailPoint no longer knows the export or refuses to serve its zip.</summary>
    DownloadRejected,

    /// <summary>The downloaded zip failed verification (unsafe or unexpected entries, a zip bomb, corrupt data).</summary>
    InvalidArchive,

    /// <summary>A step kept failing until its attempts ran out (the message was poison).</summary>
    RepeatedFailure,

    /// <summary>
    /// The export's files could not be stored: no space left (or a quota reached). SailPoint's export is fine; a new job for
    /// the role downloads it again (<see cref="ExportJob.CanReuseExport"/>) instead of starting another.
    /// </summary>
    StorageFull,
}

/// <summary>Why a job failed: a kind to branch on and a reason a person can act on.</summary>
public sealed record ExportFailure
{
    /// <summary>The kind of failure.</summary>
    public required ExportFailureKind Kind { get; init; }

    /// <summary>What happened and what to do about it, in words (never a secret).</summary>
    public required string Reason { get; init; }

    /// <summary>The step that failed.</summary>
    public ExportStep Step { get; init; }

    /// <summary>
    /// The SailPoint error behind the failure (status, <c>detailCode</c>, <c>trackingId</c>), when SailPoint caused it; for
    /// a step refused by the open circuit breaker, the error that opened the circuit.
    /// </summary>
    public ExportSailPointError? SailPointError { get; init; }
}
