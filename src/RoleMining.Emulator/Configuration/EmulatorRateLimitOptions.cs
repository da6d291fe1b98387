using System.ComponentModel.DataAnnotations;

namespace RoleMining.Emulator;

/// <summary>The service's rate limit: a fixed window of permits per client id (ISC: 100 requests per 10 seconds).</summary>
public sealed class EmulatorRateLimitOptions
{
    /// <summary>Whether API requests are rate limited. The token endpoint never is.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Requests allowed per client id and window.</summary>
    [Range(1, 1_000_000)]
    public int PermitLimit { get; set; } = 100;

    /// <summary>Length of the fixed window.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan Window { get; set; } = TimeSpan.FromSeconds(10);
}
