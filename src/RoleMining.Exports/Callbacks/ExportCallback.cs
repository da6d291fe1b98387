namespace RoleMining.Exports;

/// <summary>
/// The completion callback of a job: a receiver the operator configured (by name, e.g. a SailPoint Workflow's external
/// trigger) is called once when the job ends, with its outcome and artifact links. Kept on the job, so that its progress
/// and failures are visible to whoever reads the job.
/// </summary>
public sealed record ExportCallback
{
    /// <summary>The configured callback's name, as the start request gave it.</summary>
    public required string Name { get; init; }

    /// <summary>Pending until delivered or given up.</summary>
    public ExportCallbackState State { get; init; } = ExportCallbackState.Pending;

    /// <summary>Delivery attempts so far.</summary>
    public int Attempts { get; init; }

    /// <summary>When the last attempt began.</summary>
    public DateTimeOffset? LastAttemptAt { get; init; }

    /// <summary>When the next attempt is due, after a failed one.</summary>
    public DateTimeOffset? NextAttemptAt { get; init; }

    /// <summary>When the receiver accepted the call.</summary>
    public DateTimeOffset? DeliveredAt { get; init; }

    /// <summary>Why the last attempt failed (never a secret: status codes and messages of this app).</summary>
    public string? LastError { get; init; }
}

/// <summary>Where a completion callback is.</summary>
public enum ExportCallbackState
{
    /// <summary>Not delivered yet: waits for the job to end, or for its next attempt.</summary>
    Pending = 0,

    /// <summary>The receiver accepted it.</summary>
    Delivered,

    /// <summary>Given up: the receiver refused it for good, or every attempt failed.</summary>
    Failed,
}

/// <summary>Sends completion callbacks; hosts with an HTTP API register the implementation (the command line has none).</summary>
public interface IExportCallbackSender
{
    /// <summary>Whether <paramref name="name"/> is a configured callback.</summary>
    bool IsConfigured(string name);

    /// <summary>Calls the callback of the ended <paramref name="job"/> once. Never throws for the receiver's answers.</summary>
    Task<ExportCallbackDelivery> SendAsync(ExportJob job, CancellationToken cancellationToken = default);
}

/// <summary>How one delivery attempt ended.</summary>
/// <param name="Delivered">The receiver accepted the call (2xx).</param>
/// <param name="Retryable">It failed in a way another attempt may fix (5xx, 408, 429, network, token endpoint down).</param>
/// <param name="Error">Why it failed.</param>
public sealed record ExportCallbackDelivery(bool Delivered, bool Retryable, string? Error)
{
    /// <summary>Accepted.</summary>
    public static ExportCallbackDelivery Success { get; } = new(true, false, null);

    /// <summary>Failed; another attempt may succeed.</summary>
    public static ExportCallbackDelivery Transient(string error) => new(false, true, error);

    /// <summary>Failed for good.</summary>
    public static ExportCallbackDelivery Permanent(string error) => new(false, false, error);
}

/// <summary>The sender of a host without callbacks (the command line): every callback fails for good, saying why.</summary>
public sealed class UnconfiguredExportCallbackSender : IExportCallbackSender
{
    /// <inheritdoc />
    public bool IsConfigured(string name) => false;

    /// <inheritdoc />
    public Task<ExportCallbackDelivery> SendAsync(ExportJob job, CancellationToken cancellationToken = default) =>
        Task.FromResult(ExportCallbackDelivery.Permanent("This host has no completion callbacks configured."));
}
