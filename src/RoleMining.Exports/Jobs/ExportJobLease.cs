namespace RoleMining.Exports;

/// <summary>
/// A time-limited claim on a job while a step does work that must not happen twice at once (starting the SailPoint
/// export, downloading the zip). A live holder renews it; a crashed holder's lease expires and another step takes over.
/// </summary>
public sealed record ExportJobLease
{
    /// <summary>Identifies the execution that holds the lease.</summary>
    public required string LeaseId { get; init; }

    /// <summary>When the lease runs out unless renewed.</summary>
    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>
    /// How long from <paramref name="now"/> until the lease has surely run out: a message sent again for then finds it
    /// expired (50 ms past it, since timers may fire a little early).
    /// </summary>
    public TimeSpan RunsOutAfter(DateTimeOffset now) => ExpiresAt - now + TimeSpan.FromMilliseconds(50);
}
