using Microsoft.Extensions.Logging;

namespace RoleMining.SailPoint.RateLimiting;

/// <summary>Builds the limiter a registration uses.</summary>
internal static class SailPointRateLimiters
{
    /// <summary>Null when rate limiting is off; shared through <paramref name="store"/> when there is one; else in-process.</summary>
    public static ISailPointRateLimiter? Create(RoleMiningClientOptions options, ISailPointRateBudgetStore? store, TimeProvider timeProvider, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        if (!options.RateLimit.Enabled)
        {
            return null;
        }

        var logger = loggerFactory.CreateLogger("RoleMining.SailPoint.RateLimiting");
        return store is null
            ? new LocalRateLimiter(new RateBudgetPolicy(options), timeProvider, logger)
            : new SharedRateLimiter(new RateBudgetPolicy(options), store, timeProvider, logger);
    }
}

/// <summary>The container's limiter (or none), as one singleton the container disposes.</summary>
internal sealed class SailPointRateLimiterHolder(ISailPointRateLimiter? limiter) : IDisposable
{
    public ISailPointRateLimiter? Limiter { get; } = limiter;

    public void Dispose() => (Limiter as IDisposable)?.Dispose();
}
