using RoleMining.SailPoint.RateLimiting;

namespace RoleMining.SailPoint.Tests.RateLimiting;

public sealed class SlidingLogTests
{
    [Fact]
    public void An_idle_log_takes_the_whole_limit_at_once_and_the_next_permit_one_span_later()
    {
        var log = new SlidingLog(limit: 5, span: 100);

        Assert.Equal(0, log.EarliestStart(0, 5));
        log.Add(0, 5);

        Assert.False(log.CanAdd(99, 1));
        Assert.Equal(100, log.EarliestStart(0, 1));
    }

    [Fact]
    public void A_reservation_in_the_future_counts_for_the_windows_before_it_too()
    {
        var log = new SlidingLog(limit: 3, span: 100);
        log.Add(500, 3);

        Assert.Equal(0, log.EarliestStart(0, 1));      // [0, 100) never meets 500
        Assert.Equal(400, log.EarliestStart(400, 1));  // [400, 500) does not hold 500 either
        Assert.Equal(600, log.EarliestStart(401, 1));  // [401, 501) does: the next chance is after 500 left
        Assert.Equal(600, log.EarliestStart(450, 1));
    }

    [Fact]
    public void Pruning_forgets_only_what_can_no_longer_share_a_window()
    {
        var log = new SlidingLog(limit: 2, span: 100);
        log.Add(0, 1);
        log.Add(50, 1);

        log.Prune(100);

        Assert.Equal(1, log.Count);
        Assert.False(log.CanAdd(100, 1) && log.CanAdd(149, 2));
        Assert.Equal(150, log.EarliestStart(100, 2));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Random_claims_never_put_more_than_the_limit_into_any_interval_and_each_takes_the_earliest_slot(int seed)
    {
        // Claims of random size arrive at random times, also earlier than claims already made (other instances' clocks,
        // future reservations): every interval of the span must stay within the limit, and no earlier slot would have fit.
        const int limit = 7;
        const long span = 40;
        var random = new Random(seed);
        var log = new SlidingLog(limit, span);
        var entries = new List<(long At, int Weight)>();
        long clock = 0;
        for (var claim = 0; claim < 150; claim++)
        {
            clock += random.Next(0, 9);
            var notBefore = Math.Max(0, clock - random.Next(0, 30));
            var weight = random.Next(1, limit + 1);

            var at = log.EarliestStart(notBefore, weight);

            Assert.True(at >= notBefore);
            for (var earlier = notBefore; earlier < at; earlier++)
            {
                Assert.False(Fits(entries, earlier, weight, limit, span), $"claim {claim}: {weight} would have fitted at {earlier}, before {at}");
            }

            log.Add(at, weight);
            entries.Add((at, weight));
            Assert.True(MostInAnyInterval(entries, span) <= limit, $"claim {claim} at {at} overfilled an interval");
        }
    }

    private static bool Fits(List<(long At, int Weight)> entries, long at, int weight, int limit, long span)
    {
        var with = new List<(long At, int Weight)>(entries) { (at, weight) };
        return MostInAnyInterval(with, span) <= limit;
    }

    /// <summary>Independently of the log: the busiest interval [a, a + span) starts at some entry (two pointers over sorted entries).</summary>
    private static int MostInAnyInterval(List<(long At, int Weight)> entries, long span)
    {
        var sorted = entries.OrderBy(entry => entry.At).ToList();
        int most = 0, inside = 0, last = 0;
        for (var first = 0; first < sorted.Count; first++)
        {
            while (last < sorted.Count && sorted[last].At < sorted[first].At + span)
            {
                inside += sorted[last++].Weight;
            }

            most = Math.Max(most, inside);
            inside -= sorted[first].Weight;
        }

        return most;
    }
}
