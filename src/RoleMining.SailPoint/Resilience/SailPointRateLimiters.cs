using System.Collections.Concurrent;
using System.Threading.RateLimiting;

namespace RoleMining.SailPoint.Resilience;

/// <summary>
/// One request budget per tenant and client id for the whole process, because ISC counts requests per client, not
/// per <see cref="RoleMiningClient"/> instance. The first registration of a tenant/client pair sets its limits.
/// </summary>
internal static class SailPointRateLimiters
{
    private static readonly ConcurrentDictionary<string, RateLimiter> Limiters = new(StringComparer.Ordinal);

    public static RateLimiter GetOrCreate(Uri baseUrl, string clientId, SailPointRateLimitOptions options) =>
        Limiters.GetOrAdd(Key(baseUrl, clientId), static (_, options) => Create(options), options);

    /// <summary>
    /// A token bucket holding one token, refilled one token at a time, so that no window of <see cref="SailPointRateLimitOptions.Window"/>
    /// ever holds more than <see cref="SailPointRateLimitOptions.PermitLimit"/> requests, however the server aligns its window:
    /// a window holds at most the one token in the bucket plus one refill per timer tick inside it, and with a period of
    /// <c>Window / (PermitLimit - 2)</c> at most <c>PermitLimit - 1</c> ticks fall inside any window. A fixed or sliding
    /// window limiter would let up to twice the limit through across a window boundary under a burst.
    /// </summary>
    public static RateLimiter Create(SailPointRateLimitOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var periods = Math.Max(1, options.PermitLimit - 2);
        return new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = 1,
            TokensPerPeriod = 1,
            ReplenishmentPeriod = options.Window / periods,
            AutoReplenishment = true,
            QueueLimit = options.QueueLimit,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
    }

    private static string Key(Uri baseUrl, string clientId) =>
        baseUrl.GetLeftPart(UriPartial.Authority).ToLowerInvariant() + "|" + clientId;
}
