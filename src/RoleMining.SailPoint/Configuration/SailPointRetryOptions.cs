namespace RoleMining.SailPoint;

/// <summary>Retry budget.</summary>
public sealed class SailPointRetryOptions
{
    /// <summary>Retries after the first attempt (0 disables retries).</summary>
    public int MaxRetryAttempts { get; set; } = 5;

    /// <summary>First backoff delay for 408/5xx/network errors; doubled each retry, with jitter.</summary>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest backoff delay.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest <c>Retry-After</c> that is waited for; a longer one fails the call at once.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Retries (at most <see cref="MaxRetryAttempts"/>) of an attempt that could not connect at all: refused, timed out
    /// connecting (<see cref="SailPointTimeoutOptions.Connect"/>) or no route. A host name that does not resolve is not
    /// retried. Kept small so that a wrong or unreachable tenant fails in seconds rather than after the full budget.
    /// </summary>
    public int MaxConnectRetryAttempts { get; set; } = 1;
}
