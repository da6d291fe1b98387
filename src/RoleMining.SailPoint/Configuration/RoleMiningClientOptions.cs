using System.ComponentModel.DataAnnotations;

namespace RoleMining.SailPoint;

/// <summary>
/// Settings of the role-mining client (<see cref="RoleMiningClient"/>), bound from the <c>SailPoint</c> configuration section; missing
/// connection values fall back to the SailPoint SDK/CLI environment variables <c>SAIL_BASE_URL</c>,
/// <c>SAIL_CLIENT_ID</c> and <c>SAIL_CLIENT_SECRET</c>.
/// </summary>
public sealed class RoleMiningClientOptions
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
    public RoleMiningApiVersion ApiVersion { get; set; } = RoleMiningApiVersion.V2024;

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
        $"RoleMiningClientOptions {{ BaseUrl = {BaseUrl}, ClientId = {ClientId}, ClientSecret = {(string.IsNullOrEmpty(ClientSecret) ? "(none)" : "***")}, ApiVersion = {(Enum.IsDefined(ApiVersion) ? ApiVersion.PathSegment() : ApiVersion.ToString())} }}";
}
