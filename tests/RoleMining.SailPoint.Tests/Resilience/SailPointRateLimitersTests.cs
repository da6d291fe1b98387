using System.Diagnostics;
using RoleMining.SailPoint.Resilience;

namespace RoleMining.SailPoint.Tests.Resilience;

public sealed class SailPointRateLimitersTests
{
    [Fact]
    public async Task A_burst_never_puts_more_than_the_limit_into_any_window()
    {
        var options = new SailPointRateLimitOptions { PermitLimit = 10, Window = TimeSpan.FromSeconds(1) };
        using var limiter = SailPointRateLimiters.Create(options);
        var granted = new List<long>();

        // 25 requests at once: two and a half times the limit.
        var leases = await Task.WhenAll(Enumerable.Range(0, 25).Select(async _ =>
        {
            var lease = await limiter.AcquireAsync(1);
            lock (granted)
            {
                granted.Add(Stopwatch.GetTimestamp());
            }

            return lease;
        }));

        Assert.All(leases, lease => Assert.True(lease.IsAcquired));
        granted.Sort();

        // Grants are observed when their continuation runs, which a loaded machine delays unevenly; the window checked
        // is 150 ms shorter to allow for that. A fixed-window limiter would still fail it: it lets the whole limit
        // through at once on each side of a window boundary.
        var window = (long)((options.Window - TimeSpan.FromMilliseconds(150)).TotalSeconds * Stopwatch.Frequency);
        for (var first = 0; first < granted.Count; first++)
        {
            var inWindow = granted.Skip(first).TakeWhile(time => time - granted[first] <= window).Count();
            Assert.True(inWindow <= options.PermitLimit, $"{inWindow} grants within one window starting at grant {first}");
        }

        // And the budget is used: 25 grants need 24 refills of 1/8 s (3 s), and not much more.
        var span = Stopwatch.GetElapsedTime(granted[0], granted[^1]);
        Assert.InRange(span, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void The_same_tenant_and_client_share_one_limiter()
    {
        var options = new SailPointRateLimitOptions();
        var clientId = Guid.NewGuid().ToString("N");

        var first = SailPointRateLimiters.GetOrCreate(new Uri("https://acme.api.identitynow.com"), clientId, options);
        var second = SailPointRateLimiters.GetOrCreate(new Uri("https://ACME.api.identitynow.com/"), clientId, options);
        var otherClient = SailPointRateLimiters.GetOrCreate(new Uri("https://acme.api.identitynow.com"), clientId + "-other", options);

        Assert.Same(first, second);
        Assert.NotSame(first, otherClient);
    }
}
