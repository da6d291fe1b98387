namespace RoleMining.SailPoint;

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
