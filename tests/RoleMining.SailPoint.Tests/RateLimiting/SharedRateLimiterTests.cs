using System.Text.Json;
using Microsoft.Extensions.Logging.Testing;
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
    private static readonly TimeSpan Renewal = Window;
    private static readonly long Span = (Window + Margin).Ticks;

    /// <summary>Real time after each fake step for the stewards that renew the leases (on the thread pool) to catch up.</summary>
    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(2);

    private static RoleMiningClientOptions Options(string clientId, int limit = 20) => Limiters.Options(
        rateLimit =>
        {
            rateLimit.PermitLimit = limit;
            rateLimit.Window = Window;
            rateLimit.JitterMargin = Margin;
            rateLimit.LeaseRenewal = Renewal;
        },
        clientId);

    /// <summary>One instance per timeline of <paramref name="own"/>: each records its grants there and in <paramref name="all"/>.</summary>
    private static List<SharedRateLimiter> SharedInstances(FakeTimeProvider time, GrantTimeline all, List<GrantTimeline> own, RoleMiningClientOptions options, ISailPointRateBudgetStore store) =>
        [.. own.Select(timeline =>
        {
            var instance = Limiters.Shared(time, all, options, store);
            instance.GrantObserved = (group, ticks) =>
            {
                all.Record(group, ticks);
                timeline.Record(group, ticks);
            };
            return instance;
        })];

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

            // Shares move between the instances as their callers come and go, and yet any window plus the jitter margin
            // holds at most the limit over all instances together.
            Assert.Equal(callers.Count, timeline.Count);
            Assert.True(timeline.MostWithin(Window + Margin) <= 20, $"{timeline.MostWithin(Window + Margin)} grants in one window");

            // The store is written when a lease is renewed or changes, not per permit.
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

        // The second instance reads the pause with its first lease and sends nothing before it ends.
        for (var step = 0; step < 39; step++)
        {
            await GrantTimeline.SettleAsync(realLimit: TimeSpan.FromMilliseconds(5));
            time.Advance(TimeSpan.FromMilliseconds(100));
        }

        await GrantTimeline.SettleAsync(() => store.Reads > 0, TimeSpan.FromSeconds(5));
        Assert.All(waiting, task => Assert.False(task.IsCompleted));
        await timeline.DriveAsync(time, waiting, TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(10), Settle);
        Assert.All(timeline.Grants, ticks => Assert.True(ticks >= until, "a permit was granted during the pause"));
        using var document = JsonDocument.Parse(memory.Content(new RateBudgetPolicy(options).BudgetId));
        Assert.Equal(until, document.RootElement.GetProperty("pausedUntil").GetDateTimeOffset().UtcTicks);
    }

    [Fact]
    public async Task The_share_of_an_instance_that_died_comes_free_one_span_after_its_lease_ends()
    {
        var time = new FakeTimeProvider(Limiters.Start);
        var timeline = new GrantTimeline();
        var memory = new InMemoryRateBudgetStore();
        var options = Options("client-crash", limit: 10);
        var crashing = Limiters.Shared(time, new GrantTimeline(), options, memory);

        // Alone, the instance leases the whole budget for its one request, then dies holding it.
        await crashing.AcquireAsync(Status, CancellationToken.None);
        var leaseEnds = Limiters.Ticks(time) + (3 * Renewal).Ticks;
        crashing.Dispose();

        using var survivor = Limiters.Shared(time, timeline, options, memory);
        var waiting = Enumerable.Range(0, 10).Select(_ => survivor.Instant(Status, timeline, CancellationToken.None)).ToList();
        await timeline.DriveAsync(time, waiting, TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(10), Settle);

        // Nothing while the dead instance's lease could still be in use, nor in the span after it; then the whole budget.
        Assert.Equal(10, timeline.Count);
        Assert.All(timeline.Grants, ticks => Assert.True(ticks >= leaseEnds + Span, "a permit of the dead instance's share was granted too early"));
        Assert.True(timeline.Grants[^1] < leaseEnds + Span + Renewal.Ticks, "the share came back later than one read after it was free");

        // And the dead instance's lease is gone from the document.
        using var document = JsonDocument.Parse(memory.Content(new RateBudgetPolicy(options).BudgetId));
        Assert.Single(document.RootElement.GetProperty("leases").EnumerateArray());
    }

    [Fact]
    public async Task An_idle_instance_gives_its_share_to_a_busy_one_at_its_next_read()
    {
        var time = new FakeTimeProvider(Limiters.Start);
        var timeline = new GrantTimeline();
        var memory = new InMemoryRateBudgetStore();
        var options = Options("client-return", limit: 10);
        using var first = Limiters.Shared(time, new GrantTimeline(), options, memory);
        using var second = Limiters.Shared(time, timeline, options, memory);

        // Alone, the first instance leases the whole budget and sends one request.
        (await first.AcquireAsync(Status, CancellationToken.None))?.Dispose();
        var leasedAt = Limiters.Ticks(time);
        using var before = JsonDocument.Parse(memory.Content(new RateBudgetPolicy(options).BudgetId));
        var firstReadsAgain = before.RootElement.GetProperty("leases")[0].GetProperty("next").GetDateTimeOffset().UtcTicks;

        var others = Enumerable.Range(0, 9).Select(_ => second.Instant(Status, timeline, CancellationToken.None)).ToList();
        await timeline.DriveAsync(time, others, TimeSpan.FromMilliseconds(5), TimeSpan.FromSeconds(5), Settle);

        // The first instance keeps the one permit its log still holds and gives up the nine others when it reads again
        // (an eighth of the renewal after its lease); the second takes them as soon as that is written, a span earlier
        // than waiting for the first one's request to leave the window.
        Assert.Equal(9, timeline.Count);
        Assert.All(timeline.Grants, ticks => Assert.InRange(ticks, firstReadsAgain, firstReadsAgain + (Renewal / 4).Ticks));
        Assert.True(timeline.Grants[^1] < leasedAt + Span, "the second instance waited for the first one's share to age out");
    }

    [Fact]
    public async Task Busy_instances_split_the_budget_evenly()
    {
        var time = new FakeTimeProvider(Limiters.Start);
        var all = new GrantTimeline();
        var own = Enumerable.Range(0, 4).Select(_ => new GrantTimeline()).ToList();
        var store = new CountingRateBudgetStore(new InMemoryRateBudgetStore());
        var instances = SharedInstances(time, all, own, Options("client-fair", limit: 20), store);

        try
        {
            // Each instance has more callers than the whole budget serves in the run: 60 each, 240 in all, about 12
            // windows' worth.
            var callers = instances.SelectMany(instance => Enumerable.Range(0, 60).Select(_ => instance.Instant(Status, all, CancellationToken.None))).ToList();
            await all.DriveAsync(time, callers, TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(1), Settle);

            Assert.True(all.MostWithin(Window + Margin) <= 20, $"{all.MostWithin(Window + Margin)} grants in one window");

            // Once the shares settled (after the first two windows), each instance sends its fair part: 5 in every
            // window and a margin, give or take the share that is on its way from one to another.
            var from = Limiters.Start.UtcTicks + (2 * Span);
            var to = from + (6 * Span);
            foreach (var timeline in own)
            {
                Assert.InRange(timeline.Between(from, to), 6 * 4, 6 * 6);
            }

            // Most of the time nobody changes share, so the leases are renewed at the full interval, not constantly.
            Assert.True(store.Writes < 4 * (to - Limiters.Start.UtcTicks) / (Renewal.Ticks / 4), $"{store.Writes} writes");
        }
        finally
        {
            instances.ForEach(instance => instance.Dispose());
        }
    }

    [Fact]
    public async Task Writers_racing_on_one_version_never_get_a_permit_twice()
    {
        const int instances = 8;
        var time = new FakeTimeProvider(Limiters.Start);
        var timeline = new GrantTimeline();
        var store = new CountingRateBudgetStore(new InMemoryRateBudgetStore(), new ArrivalBarrier(instances, TimeSpan.FromSeconds(10)));
        var options = Options("client-race", limit: 20);
        var limiters = Enumerable.Range(0, instances).Select(_ => Limiters.Shared(time, timeline, options, store)).ToList();
        try
        {
            // Time stands still: all eight write their first lease on the same (empty) version; one wins and, alone in the
            // budget, takes all of it; the others read again and find nothing free. In this instant only the winner's
            // five callers are served.
            var callers = limiters.SelectMany(limiter => Enumerable.Range(0, 5).Select(_ => limiter.Instant(Status, timeline, CancellationToken.None))).ToList();
            await GrantTimeline.SettleAsync(() => timeline.Count >= 5 && store.Conflicts >= instances - 1, TimeSpan.FromSeconds(20));
            await GrantTimeline.SettleAsync(realLimit: TimeSpan.FromMilliseconds(300));

            Assert.Equal(5, timeline.Count);
            Assert.True(store.Conflicts >= instances - 1, $"{store.Conflicts} conflicts");

            // As time moves, the winner gives up what it does not use and the others share it; however their writes
            // interleave, no window holds more than the limit.
            await timeline.DriveAsync(time, callers, TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(30), Settle);
            Assert.Equal(40, timeline.Count);
            Assert.True(timeline.MostWithin(Window + Margin) <= 20, $"{timeline.MostWithin(Window + Margin)} grants in one window");
        }
        finally
        {
            limiters.ForEach(limiter => limiter.Dispose());
        }
    }

    [Fact]
    public async Task An_operation_with_a_limit_of_its_own_stays_within_it_across_instances()
    {
        const string StartExport = "exportRoleMiningPotentialRoleAsync";
        var time = new FakeTimeProvider(Limiters.Start);
        var timeline = new GrantTimeline();
        var store = new InMemoryRateBudgetStore();
        var options = Options("client-operation", limit: 20);
        options.RateLimit.Operations[StartExport] = new SailPointOperationRateLimit { PermitLimit = 4, Window = Window };
        var instances = Enumerable.Range(0, 3).Select(_ => Limiters.Shared(time, timeline, options, store)).ToList();
        try
        {
            // Each instance: four export starts (their own limit: 4 per window, shared by all three) and four status calls.
            var callers = instances.SelectMany(instance => Enumerable.Range(0, 8).Select(index => instance.Instant(index % 2 == 0 ? StartExport : Status, timeline, CancellationToken.None))).ToList();
            await timeline.DriveAsync(time, callers, TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(1), Settle);

            Assert.Equal(24, timeline.Count);
            Assert.Equal(12, timeline.GrantsOf(StartExport).Count);
            Assert.True(timeline.MostWithin(Window + Margin, StartExport) <= 4, $"{timeline.MostWithin(Window + Margin, StartExport)} export starts in one window");
            Assert.True(timeline.MostWithin(Window + Margin) <= 20, $"{timeline.MostWithin(Window + Margin)} grants in one window");

            // The statuses did not queue behind the exports held back by their own limit (twelve of those take at least
            // three windows): all went out within the first two.
            Assert.True(timeline.GrantsOf(RateBudgetPolicy.DefaultGroup)[^1] < Limiters.Start.UtcTicks + (2 * Span), "the statuses waited for the exports' limit");
        }
        finally
        {
            instances.ForEach(instance => instance.Dispose());
        }
    }

    [Fact]
    public async Task More_busy_instances_than_an_operation_has_permits_take_turns_rather_than_some_starving()
    {
        // Two export starts per window for four instances that each always have one waiting: a split in a fixed order gave
        // both permits to the same two instances for as long as they had callers.
        const string StartExport = "exportRoleMiningPotentialRoleAsync";
        var time = new FakeTimeProvider(Limiters.Start);
        var all = new GrantTimeline();
        var own = Enumerable.Range(0, 4).Select(_ => new GrantTimeline()).ToList();
        var store = new InMemoryRateBudgetStore();
        var options = Options("client-turns", limit: 20);
        options.RateLimit.Operations[StartExport] = new SailPointOperationRateLimit { PermitLimit = 2, Window = Window };
        var instances = SharedInstances(time, all, own, options, store);

        try
        {
            // 30 callers each, more than the 26 s of the run serve (about 50 starts), so every instance always has one
            // waiting; the rest give up at the end.
            using var end = new CancellationTokenSource(TimeSpan.FromSeconds(26), time);
            var callers = instances.SelectMany(instance => Enumerable.Range(0, 30).Select(_ => instance.Instant(StartExport, all, end.Token))).ToList();
            await all.DriveAsync(time, callers, TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(1), Settle);

            Assert.InRange(all.Count, 40, 60);
            Assert.True(all.MostWithin(Window + Margin, StartExport) <= 2, $"{all.MostWithin(Window + Margin, StartExport)} starts in one window");

            // In the first 24 s, every instance had turns.
            var to = Limiters.Start.UtcTicks + TimeSpan.FromSeconds(24).Ticks;
            foreach (var timeline in own)
            {
                Assert.True(timeline.Between(Limiters.Start.UtcTicks, to) >= 3, $"an instance sent {timeline.Between(Limiters.Start.UtcTicks, to)} of {all.Between(Limiters.Start.UtcTicks, to)} starts in the first 24 s");
            }
        }
        finally
        {
            instances.ForEach(instance => instance.Dispose());
        }
    }

    [Fact]
    public void The_budget_is_split_max_min_fairly_over_what_each_instance_would_use()
    {
        // Wants within the budget are met, and the rest goes round those that want any.
        Assert.Equal(new Dictionary<string, int> { ["a"] = 51, ["b"] = 49, ["c"] = 0 }, SharedRateLimiter.FairSplit(100, [("b", 2), ("a", 4), ("c", 0)]));

        // Beyond the budget: the small want is met, the others share the rest evenly (the odd permit to the first id).
        Assert.Equal(new Dictionary<string, int> { ["a"] = 46, ["b"] = 45, ["c"] = 9 }, SharedRateLimiter.FairSplit(100, [("a", 100), ("b", 100), ("c", 9)]));

        // More wanting than there are permits: who comes first moves with the turn, so over as many turns as instances each
        // is given its part of the permits.
        var ids = new[] { "a", "b", "c", "d", "e" };
        var turns = Enumerable.Range(0, ids.Length).Select(turn => SharedRateLimiter.FairSplit(2, [.. ids.Select(id => (id, 2))], turn)).ToList();
        Assert.All(turns, split => Assert.Equal(2, split.Values.Sum()));
        Assert.All(ids, id => Assert.Equal(2, turns.Sum(split => split[id])));
        Assert.Equal(new Dictionary<string, int> { ["a"] = 0, ["b"] = 0, ["c"] = 0, ["d"] = 1, ["e"] = 1 }, turns[3]);

        // Every want met, the odd permit of the rest stays where it was whatever the turn (moving it would only make
        // instances read again).
        Assert.All(Enumerable.Range(0, 3), turn => Assert.Equal(new Dictionary<string, int> { ["a"] = 4, ["b"] = 3, ["c"] = 3 }, SharedRateLimiter.FairSplit(10, [("a", 1), ("b", 1), ("c", 1)], turn)));

        // Nobody wants any: nothing is handed out.
        Assert.Equal(new Dictionary<string, int> { ["a"] = 0 }, SharedRateLimiter.FairSplit(100, [("a", 0)]));
    }

    [Fact]
    public async Task A_store_error_while_the_lease_holds_keeps_the_waiting_callers_and_they_are_served_under_the_lease()
    {
        var time = new FakeTimeProvider(Limiters.Start);
        var timeline = new GrantTimeline();
        var store = new FailingReads(new InMemoryRateBudgetStore());
        var logs = new FakeLogCollector();
        using var limiter = Limiters.Shared(time, timeline, Options("client-store-error", limit: 10), store, new FakeLogger(logs));

        // The whole share spent, then callers queue for the next window; the store fails the reads of the next renewal.
        for (var i = 0; i < 10; i++)
        {
            await limiter.Instant(Status, timeline);
        }

        var waiting = Enumerable.Range(0, 5).Select(_ => limiter.Instant(Status, timeline, CancellationToken.None)).ToList();
        store.Failures = 2;
        await timeline.DriveAsync(time, waiting, TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(30), Settle);

        // The lease (3 renewals) outlived the failed reads: the callers were served in the next window, not failed.
        Assert.All(waiting, caller => Assert.True(caller.IsCompletedSuccessfully));
        Assert.Equal(15, timeline.Count);
        Assert.Equal(0, store.Failures);
        Assert.Contains(logs.GetSnapshot(), entry => entry.Id.Id == 19);
        Assert.DoesNotContain(logs.GetSnapshot(), entry => entry.Id.Id == 17);
    }

    [Theory]
    [InlineData("{\"leases\":null}")]
    [InlineData("{\"leases\":[null]}")]
    [InlineData("{\"leases\":[{\"id\":\"foreign\",\"until\":\"2099-01-01T00:00:00Z\",\"units\":null}]}")]
    [InlineData("{\"leases\":[{\"id\":null,\"until\":\"2099-01-01T00:00:00Z\",\"units\":{\"\":1}}]}")]
    [InlineData("{\"leases\":[{\"id\":\"foreign\",\"until\":\"2099-01-01T00:00:00Z\",\"units\":{\"\":-50},\"wants\":{}}]}")]
    public async Task A_budget_document_with_leases_that_cannot_be_ours_is_repaired_not_a_block_on_every_request(string json)
    {
        // Valid JSON that is no lease of this product: dropped when read, and gone from the document after the next write.
        var time = new FakeTimeProvider(Limiters.Start);
        var timeline = new GrantTimeline();
        var store = new InMemoryRateBudgetStore();
        var options = Options("client-foreign-" + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(json)))[..12], limit: 10);
        var budgetId = new RateBudgetPolicy(options).BudgetId;
        Assert.NotNull(await store.TryReplaceAsync(budgetId, System.Text.Encoding.UTF8.GetBytes(json), null, CancellationToken.None));
        using var limiter = Limiters.Shared(time, timeline, options, store);

        var callers = Enumerable.Range(0, 3).Select(_ => limiter.Instant(Status, timeline, CancellationToken.None)).ToList();
        await timeline.DriveAsync(time, callers, TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(30), Settle);

        Assert.Equal(3, timeline.Count);
        using var repaired = JsonDocument.Parse(store.Content(budgetId)!);
        var leases = repaired.RootElement.GetProperty("leases").EnumerateArray().ToList();
        Assert.All(leases, lease => Assert.NotEqual("foreign", lease.GetProperty("id").GetString()));
        Assert.Single(leases);
    }

    [Fact]
    public void Counts_above_the_limit_are_capped_and_leases_that_cannot_be_ours_dropped_when_the_document_is_read()
    {
        // Two leases of the whole int range would overflow the sum of the split; an instance with a larger configured
        // limit keeps what it holds, up to all there is.
        const string json = """
            {"leases":[
              {"id":"a","until":"2026-11-30T12:00:30Z","units":{"":2147483647},"wants":{"":2147483647}},
              {"id":"b","until":"2026-11-30T12:00:30Z","units":{"":2147483647},"wants":{}},
              {"id":"a","until":"2026-11-30T12:00:30Z","units":{"":1},"wants":{}},
              {"id":"c","until":"2026-11-30T12:00:30Z","units":{"":-1},"wants":{}},
              null]}
            """;

        var document = RateBudgetDocument.Read(System.Text.Encoding.UTF8.GetBytes(json), maxPermits: 20);

        Assert.Equal(["a", "b"], document.Leases.Select(lease => lease.Id));
        Assert.All(document.Leases, lease => Assert.Equal(20, lease.UnitsOf(RateBudgetPolicy.DefaultGroup)));
        Assert.Equal(20, document.Leases[0].WantOf(RateBudgetPolicy.DefaultGroup));
    }

    /// <summary>Fails the next <see cref="Failures"/> reads, as a store that is unavailable for a moment.</summary>
    private sealed class FailingReads(ISailPointRateBudgetStore inner) : ISailPointRateBudgetStore
    {
        private int _failures;

        public int Failures
        {
            get => Volatile.Read(ref _failures);
            set => Volatile.Write(ref _failures, value);
        }

        public Task<SailPointStoredRateBudget?> ReadAsync(string budgetId, CancellationToken cancellationToken) =>
            Volatile.Read(ref _failures) > 0 && Interlocked.Decrement(ref _failures) >= 0
                ? throw new IOException("The budget store is unavailable (simulated).")
                : inner.ReadAsync(budgetId, cancellationToken);

        public Task<string?> TryReplaceAsync(string budgetId, ReadOnlyMemory<byte> content, string? expectedVersion, CancellationToken cancellationToken) =>
            inner.TryReplaceAsync(budgetId, content, expectedVersion, cancellationToken);
    }
}
