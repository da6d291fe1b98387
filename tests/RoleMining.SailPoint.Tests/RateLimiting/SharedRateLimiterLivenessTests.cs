using Microsoft.Extensions.Logging.Abstractions;
using RoleMining.SailPoint.RateLimiting;

namespace RoleMining.SailPoint.Tests.RateLimiting;

/// <summary>
/// The shared limiter on the real clock, with a store that answers after a random delay: its timer, its steward (the loop that renews its lease) and
/// the callers then interleave as they do in production, which the fake-time tests cannot show. Asserts no timing, only
/// that every caller gets its permit (a lost wake-up would leave one waiting until its 20-second timeout).
/// </summary>
public sealed class SharedRateLimiterLivenessTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Callers_that_keep_asking_through_a_slow_store_all_get_their_permits(int seed)
    {
        var options = Limiters.Options(o =>
        {
            o.PermitLimit = 20;
            o.Window = TimeSpan.FromMilliseconds(500);
            o.JitterMargin = TimeSpan.FromMilliseconds(20);
            o.LeaseRenewal = TimeSpan.FromMilliseconds(200);
        });
        var store = new SlowStore(new InMemoryRateBudgetStore(), seed);
        using var limiter = new SharedRateLimiter(new RateBudgetPolicy(options), store, TimeProvider.System, NullLogger.Instance);
        var granted = 0;
        var callers = Enumerable.Range(0, 6).Select(async index =>
        {
            var random = new Random(seed * 100 + index);
            for (var i = 0; i < 20; i++)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
                var permit = await limiter.AcquireAsync("op", timeout.Token);
                Interlocked.Increment(ref granted);
                await Task.Delay(random.Next(0, 30));
                permit?.Dispose();
                await Task.Delay(random.Next(0, 30));
            }
        }).ToList();
        await Task.WhenAll(callers);
        Assert.Equal(120, granted);
    }

    private sealed class SlowStore(ISailPointRateBudgetStore inner, int seed) : ISailPointRateBudgetStore
    {
        private readonly Random _random = new(seed);

        public async Task<SailPointStoredRateBudget?> ReadAsync(string budgetId, CancellationToken cancellationToken)
        {
            await Task.Delay(_random.Next(1, 15), cancellationToken);
            return await inner.ReadAsync(budgetId, cancellationToken);
        }

        public async Task<string?> TryReplaceAsync(string budgetId, ReadOnlyMemory<byte> content, string? expectedVersion, CancellationToken cancellationToken)
        {
            await Task.Delay(_random.Next(1, 15), cancellationToken);
            return await inner.TryReplaceAsync(budgetId, content, expectedVersion, cancellationToken);
        }
    }
}
