using System.Threading.RateLimiting;

namespace RoleMining.RateBudget.Bench;

/// <summary>
/// The limiter the client had before (a static token bucket of one token, refilled every <c>Window / (PermitLimit - 2)</c>
/// with 95 per 10 s: it paces every request, whether or not the budget is spent), rebuilt here as a handler on the
/// client's API HttpClient, where it acquired too (right before each attempt's send), with the client's own limiter off.
/// </summary>
internal sealed class PreviousLimiterHandler(RateLimiter limiter) : DelegatingHandler
{
    public const int PermitLimit = 95;
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(10);

    public static RateLimiter Create() => new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
    {
        TokenLimit = 1,
        TokensPerPeriod = 1,
        ReplenishmentPeriod = Window / (PermitLimit - 2),
        AutoReplenishment = true,
        QueueLimit = 100_000,
        QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
    });

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var lease = await limiter.AcquireAsync(1, cancellationToken).ConfigureAwait(false);
        if (!lease.IsAcquired)
        {
            throw new InvalidOperationException("The previous limiter's queue is full.");
        }

        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }
}
