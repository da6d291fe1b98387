using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using RoleMining.SailPoint.RateLimiting;
using RoleMining.Testing.RateLimiting;

namespace RoleMining.SailPoint.Tests.RateLimiting;

/// <summary>
/// The shared limiter as several instances of an app run it: one limiter per instance, one store, one (fake) clock.
/// The same properties are checked against Azure Blob Storage (Azurite) in RoleMining.Functions.Tests.
/// </summary>
public sealed class SharedRateLimiterTests
{
    private const string Status = "getRoleMiningSessionStatus";
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Margin = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan Lifetime = TimeSpan.FromMilliseconds(100);

    /// <summary>Real time after each fake step for the claim loops (on the thread pool) to catch up.</summary>
    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(2);

    private static RoleMiningClientOptions Options(string clientId, int limit = 20, int claimSize = 5) => Limiters.Options(
        rateLimit =>
        {
            rateLimit.PermitLimit = limit;
            rateLimit.Window = Window;
            rateLimit.JitterMargin = Margin;
            rateLimit.ClaimLifetime = Lifetime;
            rateLimit.ClaimSize = claimSize;
        },
        clientId);

    [Theory]
    [InlineData(21)]
    [InlineData(22)]
    public async Task Instances_sharing_a_store_never_exceed_the_limit_together(int seed)
    {
        var random = new Random(seed);
        var time = new FakeTimeProvider(Limiters.Start);
        var timeline = new GrantTimeline();
        var store = new CountingRateBudgetStore(new InMemoryRateBudgetStore());
        var options = Options("client-" + seed);
        var instances = Enumerable.Range(0, 4).Select(_ => Limiters.Shared(time, timeline, options, store)).ToList();
        try
        {
            var callers = new List<Task>();
            for (var wave = 0; wave < 8; wave++)
            {
                foreach (var instance in instances)
                {
                    callers.AddRange(Enumerable.Range(0, random.Next(0, 12)).Select(_ => instance.Instant(Status, timeline, CancellationToken.None)));
                }

                for (var steps = random.Next(1, 30); steps > 0; steps--)
                {
                    await GrantTimeline.SettleAsync(realLimit: TimeSpan.FromMilliseconds(2));
                    time.Advance(TimeSpan.FromMilliseconds(random.Next(1, 30)));
                }
            }

            await timeline.DriveAsync(time, callers, TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(2), Settle);

            // Permits of a claim go out within its lifetime, which the log's span covers: any window plus the jitter
            // margin holds at most the limit over all instances together.
            Assert.Equal(callers.Count, timeline.Count);
            Assert.True(timeline.MostWithin(Window + Margin) <= 20, $"{timeline.MostWithin(Window + Margin)} grants in one window");

            // And claims are batches: far fewer store writes than permits.
            Assert.True(store.Writes - store.Conflicts < callers.Count / 2, $"{store.Writes} writes ({store.Conflicts} conflicts) for {callers.Count} permits");
        }
        finally
        {
            instances.ForEach(instance => instance.Dispose());
        }
    }

    [Fact]
    public async Task A_429_seen_by_one_instance_pauses_the_others_until_its_Retry_After()
    {
        var time = new FakeTimeProvider(Limiters.Start);
        var timeline = new GrantTimeline();
        var memory = new InMemoryRateBudgetStore();
        var store = new CountingRateBudgetStore(memory);
        var options = Options("client-pause");
        using var first = Limiters.Shared(time, new GrantTimeline(), options, store);
        using var second = Limiters.Shared(time, timeline, options, store);

        await first.OnRateLimitedAsync(Status, TimeSpan.FromSeconds(4), CancellationToken.None);
        var until = Limiters.Ticks(time) + TimeSpan.FromSeconds(4).Ticks;
        var waiting = Enumerable.Range(0, 3).Select(_ => second.Instant(Status, timeline, CancellationToken.None)).ToList();

        // The second instance reads the pause with its first claim and sends nothing before it ends.
        for (var step = 0; step < 39; step++)
        {
            await GrantTimeline.SettleAsync(realLimit: TimeSpan.FromMilliseconds(5));
            time.Advance(TimeSpan.FromMilliseconds(100));
        }

        await GrantTimeline.SettleAsync(() => store.Reads > 0, TimeSpan.FromSeconds(5));
        Assert.All(waiting, task => Assert.False(task.IsCompleted));
        await timeline.DriveAsync(time, waiting, TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(10), Settle);
        Assert.All(timeline.Grants, ticks => Assert.True(ticks >= until, "a permit was granted during the pause"));
        using var document = JsonDocument.Parse(memory.Content(new RateBudgetPolicy(options, shared: true).BudgetId));
        Assert.Equal(until, document.RootElement.GetProperty("pausedUntil").GetDateTimeOffset().UtcTicks);
    }

    [Fact]
    public async Task The_claim_of_an_instance_that_died_is_reclaimed_one_span_later()
    {
        var time = new FakeTimeProvider(Limiters.Start);
        var timeline = new GrantTimeline();
        var store = new InMemoryRateBudgetStore();
        var options = Options("client-crash", limit: 10, claimSize: 10);
        var span = (Window + Margin + Lifetime).Ticks;
        var crashing = Limiters.Shared(time, new GrantTimeline(), options, store);

        // An idle budget: the instance claims a whole batch (all 10) for its one request, then dies holding 9.
        await crashing.AcquireAsync(Status, CancellationToken.None);
        var claimedAt = Limiters.Ticks(time);
        crashing.Dispose();

        using var survivor = Limiters.Shared(time, timeline, options, store);
        var waiting = Enumerable.Range(0, 10).Select(_ => survivor.Instant(Status, timeline, CancellationToken.None)).ToList();
        await timeline.DriveAsync(time, waiting, TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(10), Settle);

        // Nothing before the dead instance's claim left the window; then the whole budget again.
        Assert.Equal(10, timeline.Count);
        Assert.All(timeline.Grants, ticks => Assert.True(ticks >= claimedAt + span, "a permit the dead instance held was granted twice"));
    }

    [Fact]
    public async Task Permits_a_claim_did_not_use_are_given_back_with_the_next_claim()
    {
        var time = new FakeTimeProvider(Limiters.Start);
        var timeline = new GrantTimeline();
        var store = new InMemoryRateBudgetStore();
        var options = Options("client-return", limit: 10, claimSize: 10);
        using var first = Limiters.Shared(time, new GrantTimeline(), options, store);
        using var second = Limiters.Shared(time, timeline, options, store);

        await first.AcquireAsync(Status, CancellationToken.None);   // claims 10, uses 1
        time.Advance(Lifetime + TimeSpan.FromMilliseconds(50));     // the other 9 expire unused
        var next = first.Instant(Status, timeline, CancellationToken.None);
        await timeline.DriveAsync(time, [next], TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(1), Settle);
        var returnedAt = Limiters.Ticks(time);

        var others = Enumerable.Range(0, 8).Select(_ => second.Instant(Status, timeline, CancellationToken.None)).ToList();
        await timeline.DriveAsync(time, others, TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(5), Settle);

        // Without the give-back the second instance would wait until the first claim left the window (a span after it).
        var firstClaim = Limiters.Start.UtcTicks;
        Assert.Equal(8, timeline.Count);
        Assert.All(timeline.Grants, ticks => Assert.InRange(ticks, returnedAt, firstClaim + (Window + Margin + Lifetime).Ticks - 1));
    }

    [Fact]
    public async Task Callers_arriving_one_by_one_while_the_budget_is_booked_ahead_are_claimed_for_together()
    {
        var time = new FakeTimeProvider(Limiters.Start);
        var timeline = new GrantTimeline();
        var store = new CountingRateBudgetStore(new InMemoryRateBudgetStore());
        using var limiter = Limiters.Shared(time, timeline, Options("client-coalesce", limit: 10, claimSize: 10), store);

        // 15 callers at once: 10 permits now and 5 a span later, so the budget is booked more than half a window ahead.
        var callers = Enumerable.Range(0, 15).Select(_ => limiter.Instant(Status, timeline, CancellationToken.None)).ToList();
        await GrantTimeline.SettleAsync(() => timeline.Count == 10, TimeSpan.FromSeconds(10));
        await GrantTimeline.SettleAsync(() => store.Writes >= 2, TimeSpan.FromSeconds(10));
        await GrantTimeline.SettleAsync(realLimit: TimeSpan.FromMilliseconds(50));
        var writesBefore = store.Writes;

        // Five more, one every 10 ms: they would wait for the booked slots anyway, and are claimed for in one write.
        for (var index = 0; index < 5; index++)
        {
            callers.Add(limiter.Instant(Status, timeline, CancellationToken.None));
            await GrantTimeline.SettleAsync(realLimit: Settle);
            time.Advance(TimeSpan.FromMilliseconds(10));
        }

        await timeline.DriveAsync(time, callers, TimeSpan.FromMilliseconds(5), TimeSpan.FromSeconds(10), Settle);

        Assert.Equal(20, timeline.Count);
        Assert.Equal(1, store.Writes - writesBefore);
        Assert.Equal(10, timeline.MostWithin(Window + Margin + Lifetime));
    }

    [Fact]
    public async Task Claimers_racing_on_one_version_never_get_a_permit_twice()
    {
        const int instances = 8;
        var time = new FakeTimeProvider(Limiters.Start);
        var timeline = new GrantTimeline();
        var store = new CountingRateBudgetStore(new InMemoryRateBudgetStore(), new ArrivalBarrier(instances, TimeSpan.FromSeconds(10)));
        var options = Options("client-race", limit: 20, claimSize: 5);
        var limiters = Enumerable.Range(0, instances).Select(_ => Limiters.Shared(time, timeline, options, store)).ToList();
        try
        {
            // Time stands still: all eight write their first claim on the same (empty) version; one wins, the others
            // re-read and claim again. However they interleave, exactly the limit is granted in this instant.
            var callers = limiters.SelectMany(limiter => Enumerable.Range(0, 5).Select(_ => limiter.Instant(Status, timeline, CancellationToken.None))).ToList();
            await GrantTimeline.SettleAsync(() => timeline.Count >= 20, TimeSpan.FromSeconds(20));
            await GrantTimeline.SettleAsync(realLimit: TimeSpan.FromMilliseconds(300));

            Assert.Equal(20, timeline.Count);
            Assert.True(store.Conflicts >= instances - 1, $"{store.Conflicts} conflicts");

            await timeline.DriveAsync(time, callers, TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(30), Settle);
            Assert.Equal(40, timeline.Count);
            Assert.Equal(20, timeline.MostWithin(Window + Margin));
        }
        finally
        {
            limiters.ForEach(limiter => limiter.Dispose());
        }
    }
}
