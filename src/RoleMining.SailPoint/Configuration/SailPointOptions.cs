using System.ComponentModel.DataAnnotations;

namespace RoleMining.SailPoint;

/// <summary>
/// Settings of the SailPoint role-mining client, bound from the <c>SailPoint</c> configuration section; missing
/// connection values fall back to the SailPoint SDK/CLI environment variables <c>SAIL_BASE_URL</c>,
/// <c>SAIL_CLIENT_ID</c> and <c>SAIL_CLIENT_SECRET</c>.
/// </summary>
public sealed class SailPointOptions
{
    /// <summary>The default configuration section name.</summary>
    public const string SectionName = "SailPoint";

    /// <summary>Tenant API base URL, <c>https://{tenant}.api.identitynow.com</c>. HTTP only for loopback.</summary>
    [Required]
    public Uri? BaseUrl { get; set; }

    /// <summary>OAuth client id (personal access token id or API client id).</summary>
    [Required]
    public string? ClientId { get; set; }

    /// <summary>OAuth client secret. Never logged.</summary>
    [Required]
    public string? ClientSecret { get; set; }

    /// <summary>API version of the role-mining endpoints: <c>v2024</c> (default), <c>v2025</c>, <c>v2026</c>, <c>beta</c> or <c>v1</c>.</summary>
    [Required]
    public string ApiVersion { get; set; } = SailPointApiVersions.V2024;

    /// <summary>How long before <c>expires_in</c> runs out a token is renewed.</summary>
    public TimeSpan TokenRenewalMargin { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Client-side request budget.</summary>
    public SailPointRateLimitOptions RateLimit { get; set; } = new();

    /// <summary>Retry budget.</summary>
    public SailPointRetryOptions Retry { get; set; } = new();

    /// <summary>Time budgets.</summary>
    public SailPointTimeoutOptions Timeouts { get; set; } = new();

    /// <summary>Circuit breaker.</summary>
    public SailPointCircuitBreakerOptions CircuitBreaker { get; set; } = new();

    /// <summary>Shows the connection without the secret.</summary>
    public override string ToString() =>
        $"SailPointOptions {{ BaseUrl = {BaseUrl}, ClientId = {ClientId}, ClientSecret = {(string.IsNullOrEmpty(ClientSecret) ? "(none)" : "***")}, ApiVersion = {ApiVersion} }}";
}

/// <summary>
/// Client-side request budget, shared by every client of the process that talks to the same tenant with the same
/// client id. ISC allows 100 requests per 10 s per client; the default stays a little under it.
/// </summary>
public sealed class SailPointRateLimitOptions
{
    /// <summary>Whether requests are limited on the client side.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Requests allowed in any <see cref="Window"/>.</summary>
    public int PermitLimit { get; set; } = 95;

    /// <summary>The window of <see cref="PermitLimit"/>.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Requests that may wait for a permit before new ones are refused.</summary>
    public int QueueLimit { get; set; } = 100_000;
}

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

/// <summary>Time budgets.</summary>
public sealed class SailPointTimeoutOptions
{
    /// <summary>Establishing one connection (TCP and TLS); a host that does not answer fails after this.</summary>
    public TimeSpan Connect { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>One HTTP attempt, until the response (headers, for downloads) is in.</summary>
    public TimeSpan Attempt { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>
    /// One operation, including retries, their delays and waiting for a rate-limit permit. One page of an enumeration
    /// is one operation.
    /// </summary>
    public TimeSpan Total { get; set; } = TimeSpan.FromMinutes(10);
}

/// <summary>Circuit breaker: stops calling a tenant whose calls keep failing.</summary>
public sealed class SailPointCircuitBreakerOptions
{
    /// <summary>Whether the circuit breaker is on.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Share of failed attempts (5xx, 408, network errors, timeouts) that opens the circuit.</summary>
    public double FailureRatio { get; set; } = 0.5;

    /// <summary>Attempts in <see cref="SamplingDuration"/> before the ratio counts.</summary>
    public int MinimumThroughput { get; set; } = 10;

    /// <summary>The window the failure ratio is computed over.</summary>
    public TimeSpan SamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long the circuit stays open before one trial call.</summary>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(30);
}
