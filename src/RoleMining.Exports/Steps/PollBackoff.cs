namespace RoleMining.Exports;

/// <summary>
/// Delays of exponential backoff with jitter. Hand-written: Polly's delay generators are internal to its retry strategy,
/// and a poll or a re-delivery here is a message scheduled on a queue, not a retried call.
/// </summary>
public static class PollBackoff
{
    /// <summary>
    /// The delay before attempt number <paramref name="attempt"/> (0 for the first): <paramref name="baseDelay"/> doubled
    /// per attempt, capped at <paramref name="maxDelay"/>, moved by up to <paramref name="jitterRatio"/> either way (and
    /// kept within the cap).
    /// </summary>
    public static TimeSpan Delay(int attempt, TimeSpan baseDelay, TimeSpan maxDelay, double jitterRatio, Random? random = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(attempt);
        var exponential = baseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 30));
        var capped = Math.Min(exponential, maxDelay.TotalMilliseconds);
        var jitter = jitterRatio <= 0 ? 0 : ((random ?? Random.Shared).NextDouble() * 2 - 1) * jitterRatio * capped;
        return TimeSpan.FromMilliseconds(Math.Clamp(capped + jitter, 0, maxDelay.TotalMilliseconds));
    }
}
