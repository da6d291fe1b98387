using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using RoleMining.SailPoint.Resilience;
using RoleMining.Testing.RateLimiting;

namespace RoleMining.SailPoint.Tests.RateLimiting;

public sealed class LocalRateLimiterTests
{
    private const string Status = "getRoleMiningSessionStatus";
    private const string StartExport = "exportRoleMiningPotentialRoleAsync";

    [Fact]
    public async Task An_idle_budget_lets_the_whole_limit_through_at_once_and_then_paces_by_the_window_plus_margin()
    {
        var time = new FakeTimeProvider(Limiters.Start);
        var timeline = new GrantTimeline();
        using var limiter = Limiters.Local(time, timeline, Limiters.Options());
        var span = TimeSpan.FromMilliseconds(1100);

        var callers = Enumerable.Range(0, 25).Select(_ => limiter.Instant(Status, timeline, CancellationToken.None)).ToList();

        Assert.Equal(10, timeline.Count);
        await timeline.DriveAsync(time, callers, TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(10));
        var grants = timeline.Grants;
        var origin = grants[0];
        Assert.Equal(25, grants.Count);
        Assert.Equal(10, grants.Count(ticks => ticks == origin));
        Assert.Equal(10, grants.Count(ticks => ticks == origin + span.Ticks));
        Assert.Equal(5, grants.Count(ticks => ticks == origin + (2 * span.Ticks)));
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    public async Task Concurrent_callers_never_get_more_than_the_limit_in_any_window(int seed)
    {
        // Waves of callers on many threads at once, some of them giving up while they wait, with time moving in uneven
        // steps between the waves: whatever the interleaving, no interval of window + margin holds more than the limit.
        var random = new Random(seed);
        var time = new FakeTimeProvider(Limiters.Start);
        var timeline = new GrantTimeline();
        var options = Limiters.Options(limit =>
        {
            limit.PermitLimit = 20;
            limit.Window = TimeSpan.FromSeconds(1);
            limit.JitterMargin = TimeSpan.FromMilliseconds(50);
        });
        using var limiter = Limiters.Local(time, timeline, options);
        var callers = new List<Task>();
        var givingUp = new List<CancellationTokenSource>();
        for (var wave = 0; wave < 12; wave++)
        {
            var size = random.Next(5, 60);
            var quitters = Enumerable.Range(0, size).Select(_ => random.Next(6) == 0 ? new CancellationTokenSource() : null).ToList();
            givingUp.AddRange(quitters.OfType<CancellationTokenSource>());
            var batch = new Task[size];
            Parallel.For(0, size, new ParallelOptions { MaxDegreeOfParallelism = 8 }, index =>
                batch[index] = limiter.Instant(index % 3 == 0 ? StartExport : Status, timeline, quitters[index]?.Token ?? CancellationToken.None));
            callers.AddRange(batch);

            foreach (var quitter in quitters.OfType<CancellationTokenSource>())
            {
                await quitter.CancelAsync();
            }

            for (var steps = random.Next(1, 40); steps > 0; steps--)
            {
                time.Advance(TimeSpan.FromMilliseconds(random.Next(1, 37)));
            }
        }

        await timeline.DriveAsync(time, callers.Where(caller => !caller.IsCompleted).ToList(), TimeSpan.FromMilliseconds(7), TimeSpan.FromMinutes(5));
        var served = callers.Count(caller => caller.IsCompletedSuccessfully);

        Assert.Equal(served, timeline.Count);
        Assert.Equal(callers.Count, served + callers.Count(caller => caller.IsCanceled));
        Assert.InRange(timeline.MostWithin(TimeSpan.FromMilliseconds(1050)), 20, 20);
        foreach (var source in givingUp)
        {
            source.Dispose();
        }
    }

    [Fact]
    public async Task An_operation_with_a_limit_of_its_own_stays_within_it_without_holding_back_the_others()
    {
        var time = new FakeTimeProvider(Limiters.Start);
        var timeline = new GrantTimeline();
        var options = Limiters.Options(limit => limit.Operations[StartExport] = new SailPointOperationRateLimit { PermitLimit = 3, Window = TimeSpan.FromSeconds(2) });
        using var limiter = Limiters.Local(time, timeline, options);

        // The v1 operationId shares the limit of the plain one.
        var exports = Enumerable.Range(0, 8).Select(index => limiter.Instant(index % 2 == 0 ? StartExport : StartExport + "V1", timeline, CancellationToken.None)).ToList();
        var statuses = Enumerable.Range(0, 8).Select(_ => limiter.Instant(Status, timeline, CancellationToken.None)).ToList();

        Assert.Equal(3, timeline.GrantsOf(StartExport).Count);
        Assert.Equal(7, timeline.GrantsOf("").Count);
        await timeline.DriveAsync(time, [.. exports, .. statuses], TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(30));

        // The exports' own limit (3 per 2 s, plus the margin) holds throughout, and so does the budget's.
        Assert.All(exports.Concat(statuses), task => Assert.True(task.IsCompletedSuccessfully));
        var exportGrants = timeline.GrantsOf(StartExport);
        Assert.Equal(8, exportGrants.Count);
        Assert.Equal(3, timeline.MostWithin(TimeSpan.FromMilliseconds(2100), StartExport));
        Assert.Equal(3, exportGrants.Count(ticks => ticks == TimeSpan.FromMilliseconds(2100).Ticks));
        Assert.Equal(10, timeline.MostWithin(TimeSpan.FromMilliseconds(1100)));

        // The statuses did not queue behind the held-back exports: the 8th went out when the budget had room again
        // (1.1 s), not after the exports' own window (2.1 s).
        Assert.Equal(TimeSpan.FromMilliseconds(1100).Ticks, timeline.GrantsOf("")[^1]);
    }

    [Fact]
    public async Task A_429_pauses_every_caller_until_Retry_After_and_says_once_that_the_limit_is_lower_than_configured()
    {
        var time = new FakeTimeProvider(Limiters.Start);
        var timeline = new GrantTimeline();
        var logger = new FakeLogger();
        var options = Limiters.Options(limit => limit.Window = TimeSpan.FromSeconds(10));
        using var limiter = Limiters.Local(time, timeline, options, logger);
        for (var i = 0; i < 3; i++)
        {
            await limiter.Instant(Status, timeline);
        }

        // SailPoint refuses the 4th request of a budget of 10: its window resets in 4 s.
        var refused = await limiter.AcquireAsync(Status, CancellationToken.None);
        await limiter.OnRateLimitedAsync(Status, TimeSpan.FromSeconds(4), CancellationToken.None);
        refused?.Dispose();
        var waiting = Enumerable.Range(0, 5).Select(_ => limiter.Instant(StartExport, timeline, CancellationToken.None)).ToList();
        time.Advance(TimeSpan.FromMilliseconds(3999));
        var beforeRetryAfter = timeline.Count - 4;
        time.Advance(TimeSpan.FromMilliseconds(1));
        await Task.WhenAll(waiting);

        // A second 429 that shows no lower figure than the first is not reported as news.
        await limiter.OnRateLimitedAsync(Status, TimeSpan.FromSeconds(2), CancellationToken.None);

        Assert.Equal(0, beforeRetryAfter);
        Assert.Equal(5, timeline.Grants.Count(ticks => ticks == TimeSpan.FromSeconds(4).Ticks));
        var warning = Assert.Single(logger.Collector.GetSnapshot(), record => record.Level == LogLevel.Warning);
        Assert.Contains("only 3 requests", warning.Message, StringComparison.Ordinal);
        Assert.Contains("configured: 10", warning.Message, StringComparison.Ordinal);
        Assert.Equal(1, logger.Collector.GetSnapshot().Count(record => record.Level == LogLevel.Information && record.Message.Contains("429", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_pause_longer_than_a_request_may_wait_fails_the_callers_at_once_with_the_wait()
    {
        var time = new FakeTimeProvider(Limiters.Start);
        var timeline = new GrantTimeline();
        using var limiter = Limiters.Local(time, timeline, Limiters.Options(limit => limit.PermitLimit = 1));
        await limiter.Instant(Status, timeline);
        var waiting = limiter.Instant(Status, timeline, CancellationToken.None);

        await limiter.OnRateLimitedAsync(Status, TimeSpan.FromMinutes(10), CancellationToken.None);

        var failed = await Assert.ThrowsAsync<RateLimiterRejectedException>(() => waiting);
        Assert.Equal(TimeSpan.FromMinutes(10), failed.RetryAfter);
        var refused = await Assert.ThrowsAsync<RateLimiterRejectedException>(() => limiter.Instant(Status, timeline, CancellationToken.None));
        Assert.Equal(TimeSpan.FromMinutes(10), refused.RetryAfter);
    }

    [Fact]
    public async Task A_full_queue_refuses_new_callers_and_a_caller_that_gives_up_takes_no_permit()
    {
        var time = new FakeTimeProvider(Limiters.Start);
        var timeline = new GrantTimeline();
        using var limiter = Limiters.Local(time, timeline, Limiters.Options(limit =>
        {
            limit.PermitLimit = 1;
            limit.QueueLimit = 2;
        }));
        await limiter.Instant(Status, timeline);
        using var quitting = new CancellationTokenSource();
        var givesUp = limiter.Instant(Status, timeline, quitting.Token);
        var waits = limiter.Instant(Status, timeline, CancellationToken.None);

        await Assert.ThrowsAsync<RateLimiterRejectedException>(() => limiter.Instant(Status, timeline, CancellationToken.None));
        await quitting.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => givesUp);
        var next = limiter.Instant(Status, timeline, CancellationToken.None);
        time.Advance(TimeSpan.FromMilliseconds(1100));

        await waits;
        Assert.Equal(2, timeline.Count);
        time.Advance(TimeSpan.FromMilliseconds(1100));
        await next;
        Assert.Equal([0, TimeSpan.FromMilliseconds(1100).Ticks, TimeSpan.FromMilliseconds(2200).Ticks], timeline.Grants);
    }

    [Fact]
    public async Task A_request_counts_from_its_permit_until_its_answer_however_long_it_takes()
    {
        // The server counts a request somewhere between its sending and its answer: a slow one holds its place in the
        // window until the answer is in, and for a window after that.
        var time = new FakeTimeProvider(Limiters.Start);
        var timeline = new GrantTimeline();
        using var limiter = Limiters.Local(time, timeline, Limiters.Options(limit => limit.PermitLimit = 2));
        await limiter.Instant(Status, timeline);                                  // answered at 0
        var slow = await limiter.AcquireAsync(Status, CancellationToken.None);   // answered at 1.5 s
        timeline.Hold();

        var third = limiter.Instant(Status, timeline);
        var fourth = limiter.Instant(Status, timeline);
        var answeredSlow = false;
        await timeline.DriveAsync(time, [third], TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(5));
        while (!fourth.IsCompleted && time.GetUtcNow() - Limiters.Start < TimeSpan.FromSeconds(10))
        {
            if (!answeredSlow && time.GetUtcNow() - Limiters.Start >= TimeSpan.FromMilliseconds(1500))
            {
                timeline.Release(slow);
                answeredSlow = true;
            }

            await GrantTimeline.SettleAsync(() => timeline.Answered + (answeredSlow ? 0 : 1) >= timeline.Count, TimeSpan.FromSeconds(5));
            time.Advance(TimeSpan.FromMilliseconds(10));
        }

        await fourth;

        // At 1.1 s the first answer is a window (plus margin) old: the third goes, but not the fourth, because the slow
        // request, granted at 0 as well, is still in flight (counting grants alone would send both). The fourth goes
        // when the third's answer (1.1 s) is a window old, before the slow one's (1.5 s) is.
        Assert.Equal([0, 0, TimeSpan.FromMilliseconds(1100).Ticks, TimeSpan.FromMilliseconds(2200).Ticks], timeline.Grants);
    }
}
