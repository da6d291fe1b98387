namespace RoleMining.SailPoint.RateLimiting;

/// <summary>
/// An exact sliding log of permits: "at most <see cref="Limit"/> in any interval of <see cref="Span"/>". Each entry is a
/// time and a weight (one request, or a claim of several); entries may lie in the future (reserved slots).
/// <para>
/// Why this, and why it is safe against either kind of server. A server that counts a fixed window (reset every
/// <c>W</c>, aligned anywhere) or a sliding window (the last <c>W</c>) refuses a request when, counting by arrival time,
/// some interval of length <c>W</c> that ends at that request already holds the limit. Every such interval is an
/// interval of length <c>W</c>, so a client whose requests never put more than the limit into ANY interval of length
/// <c>W</c> is never refused by either kind, wherever a fixed window is aligned, and without knowing which kind it
/// talks to. A token bucket or a client-side fixed window cannot promise that (a window boundary lets twice the limit
/// through); this log can, and it still sends the whole limit at once when the budget is idle.
/// </para>
/// <para>
/// The margin. The log counts the times permits are granted; the server counts arrival times. If a request arrives
/// between <c>d_min</c> and <c>d_max</c> after its grant, the arrivals in a server interval <c>[a, a + W)</c> were
/// granted within <c>[a - d_max, a + W - d_min)</c>, an interval of <c>W + (d_max - d_min)</c>. So the log's span is the
/// window plus a jitter margin that covers the spread of that delay (thread scheduling, connection set-up, network, and
/// the clock difference between instances sharing a budget); a permit usable for a while after its slot (a claim's
/// lifetime) adds that while as well. Requests that are merely slow do not matter, only the difference between them.
/// </para>
/// No library offers this: System.Threading.RateLimiting's limiters are a token bucket, a fixed window and a segmented
/// (approximate) sliding window, replenished on a timer, with neither reservations nor a shared store.
/// </summary>
internal sealed class SlidingLog
{
    private readonly List<LogEntry> _entries = [];

    public SlidingLog(int limit, long span)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(span, 1);
        Limit = limit;
        Span = span;
    }

    /// <summary>Permits allowed in any interval of <see cref="Span"/>.</summary>
    public int Limit { get; }

    /// <summary>The interval, in ticks of whatever clock the owner uses (window plus margins).</summary>
    public long Span { get; }

    public int Count => _entries.Count;

    /// <summary>Adds a permit (or a claim of <paramref name="weight"/> permits) at <paramref name="at"/>, which may be in the past or future.</summary>
    public void Add(long at, int weight)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(weight, 1);
        var index = _entries.Count;
        while (index > 0 && _entries[index - 1].At > at)
        {
            index--;
        }

        _entries.Insert(index, new LogEntry(at, weight));
    }

    /// <summary>Forgets entries that can no longer share an interval of <see cref="Span"/> with any time from <paramref name="now"/> on.</summary>
    public void Prune(long now)
    {
        var stale = 0;
        while (stale < _entries.Count && _entries[stale].At <= now - Span)
        {
            stale++;
        }

        _entries.RemoveRange(0, stale);
    }

    /// <summary>The permits at times in <c>[from, to)</c>.</summary>
    public int WeightBetween(long from, long to)
    {
        var weight = 0;
        for (var index = FirstAtOrAfter(from); index < _entries.Count && _entries[index].At < to; index++)
        {
            weight += _entries[index].Weight;
        }

        return weight;
    }

    /// <summary>Whether <paramref name="weight"/> more permits at <paramref name="at"/> keep every interval of <see cref="Span"/> within the limit.</summary>
    public bool CanAdd(long at, int weight)
    {
        if (weight > Limit)
        {
            return false;
        }

        // The intervals [a, a + Span) that contain 'at' start in (at - Span, at]. Their weight, as a function of a, is a sum
        // of indicators of (t - Span, t] over the entries t, so its maximum over that range is reached at a = at or at an
        // entry's time inside the range: checking those is exact.
        var busiest = WeightBetween(at, at + Span);
        for (var index = FirstAtOrAfter(at - Span + 1); index < _entries.Count && _entries[index].At < at; index++)
        {
            var start = _entries[index].At;
            busiest = Math.Max(busiest, WeightBetween(start, start + Span));
        }

        return busiest + weight <= Limit;
    }

    /// <summary>
    /// The earliest time from <paramref name="notBefore"/> on at which <paramref name="weight"/> permits fit. The busiest
    /// interval around a time only shrinks when an entry leaves it, at the entry's time plus <see cref="Span"/>, so those
    /// times (and <paramref name="notBefore"/>) are the only candidates.
    /// </summary>
    public long EarliestStart(long notBefore, int weight)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(weight, Limit);
        if (CanAdd(notBefore, weight))
        {
            return notBefore;
        }

        foreach (var entry in _entries)
        {
            var candidate = entry.At + Span;
            if (candidate > notBefore && CanAdd(candidate, weight))
            {
                return candidate;
            }
        }

        // Unreachable: a Span after the last entry no interval holds anything.
        return Math.Max(notBefore, _entries[^1].At + Span);
    }

    private int FirstAtOrAfter(long at)
    {
        int low = 0, high = _entries.Count;
        while (low < high)
        {
            var middle = (low + high) >>> 1;
            if (_entries[middle].At < at)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }

    /// <summary>The earliest time at or after <paramref name="notBefore"/> that fits in both logs.</summary>
    public static long EarliestStartInBoth(SlidingLog budget, SlidingLog? operation, long notBefore, int weight)
    {
        ArgumentNullException.ThrowIfNull(budget);
        var at = notBefore;
        while (true)
        {
            var inBudget = budget.EarliestStart(at, weight);
            var inOperation = operation?.EarliestStart(inBudget, weight) ?? inBudget;
            if (inOperation == inBudget)
            {
                return inBudget;
            }

            // Both only ever move forward, over finitely many candidates (entry times plus a span): this ends.
            at = inOperation;
        }
    }
}

/// <summary>One entry of a <see cref="SlidingLog"/>.</summary>
internal readonly record struct LogEntry(long At, int Weight);
