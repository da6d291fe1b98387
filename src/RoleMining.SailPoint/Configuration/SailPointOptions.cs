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

    /// <summary>The request budget of the client id (what SailPoint allows, and this app's share of it).</summary>
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
/// The SailPoint request budget of this app's client id. ISC allows, by default, 100 requests per 10 s per client id and
/// answers 429 with <c>Retry-After</c> beyond that; SailPoint sets other limits per tenant or per API route on request.
/// Set these to what the tenant allows: the client then sends a burst of up to <see cref="PermitLimit"/> when the budget is
/// idle and paces itself after that, and never sends more in any window than the service allows.
/// </summary>
public sealed class SailPointRateLimitOptions
{
    /// <summary>Whether requests are limited on the client side.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Requests the service allows this client id in any <see cref="Window"/> (ISC's default: 100).</summary>
    public int PermitLimit { get; set; } = 100;

    /// <summary>The window of <see cref="PermitLimit"/> (ISC's default: 10 s).</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The share of the client id's budget this app may use, above 0 and at most 1: below 1 when other integrations use the
    /// same client id, so that they keep headroom (0.8 leaves them 20 of 100). Applies to the per-operation limits too.
    /// </summary>
    public double Share { get; set; } = 1.0;

    /// <summary>
    /// Time added to every window on the client side, for the jitter between taking a permit and the request's arrival at
    /// the service (scheduling, connection set-up, network) and for clock differences between instances.
    /// </summary>
    public TimeSpan JitterMargin { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Limits SailPoint set for single operations, keyed by the operation's spec operationId (for example
    /// <c>exportRoleMiningPotentialRoleAsync</c>; the same key in every API version); each applies on top of
    /// <see cref="PermitLimit"/>.
    /// </summary>
#pragma warning disable CA2227 // The configuration binder and object initialisers set this dictionary.
    public Dictionary<string, SailPointOperationRateLimit> Operations { get; set; } = new(StringComparer.Ordinal);
#pragma warning restore CA2227

    /// <summary>Requests that may wait for a permit in this process before new ones are refused.</summary>
    public int QueueLimit { get; set; } = 100_000;

    /// <summary>
    /// With a shared budget (an <see cref="ISailPointRateBudgetStore"/> is registered): the most permits one claim takes
    /// from the shared store, so that store round trips stay a small fraction of the requests.
    /// </summary>
    public int ClaimSize { get; set; } = 10;

    /// <summary>
    /// With a shared budget: how long claimed permits stay usable. Covers the store's latency and the wait for a local
    /// caller; permits unused by then are given back with the next claim. Counted into every window, like
    /// <see cref="JitterMargin"/>.
    /// </summary>
    public TimeSpan ClaimLifetime { get; set; } = TimeSpan.FromMilliseconds(500);
}

/// <summary>A limit SailPoint set for one operation (route).</summary>
public sealed class SailPointOperationRateLimit
{
    /// <summary>Requests of this operation allowed in any <see cref="Window"/>.</summary>
    public int PermitLimit { get; set; }

    /// <summary>The window of <see cref="PermitLimit"/>.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromSeconds(10);
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
