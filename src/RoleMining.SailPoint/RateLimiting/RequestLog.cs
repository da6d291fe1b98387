namespace RoleMining.SailPoint.RateLimiting;

/// <summary>
/// The in-process log: every request from the moment its permit is granted until its answer came back (or it failed),
/// since the server counted it at some instant in between. A permit is granted only while fewer than <see cref="Limit"/>
/// requests were in flight or answered within the last <see cref="Span"/>. Why that suffices against a fixed or a
/// sliding window on the server: take any server window of length <c>W</c> and, of the requests the server counted in
/// it, the one granted last. When it was granted, every other one had been granted and either was still in flight or
/// had been answered after the window began, so less than <c>W</c> before; all were in the log, which held fewer than
/// the limit. So no window ever holds more, however long the network or a loaded machine delays a request, and the
/// span needs no margin for that; <see cref="SailPointRateLimitOptions.JitterMargin"/> still widens it, for timer
/// granularity and a server whose clock runs slightly slow.
/// </summary>
internal sealed class RequestLog
{
    private readonly HashSet<long> _inFlight = [];
    private readonly List<long> _answered = [];

    public RequestLog(int limit, long span)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        ArgumentOutOfRangeException.ThrowIfLessThan(span, 1);
        Limit = limit;
        Span = span;
    }

    /// <summary>Requests allowed in the span: fixed for a process's own budget; with a shared budget, the share this
    /// instance holds at the moment (0 when it holds none).</summary>
    public int Limit { get; set; }

    /// <summary>The window plus margin, in ticks.</summary>
    public long Span { get; }

    /// <summary>Whether a request may be granted at <paramref name="now"/>.</summary>
    public bool HasRoom(long now)
    {
        Prune(now);
        return _inFlight.Count + _answered.Count < Limit;
    }

    /// <summary>When the next request may be granted; null while the requests in flight alone fill the log (an answer
    /// will tell).</summary>
    public long? NextRoom(long now) => Limit == 0 ? null : WhenAtMost(now, Limit - 1);

    /// <summary>The requests in flight and answered within the span, at <paramref name="now"/>.</summary>
    public int Count(long now)
    {
        Prune(now);
        return _inFlight.Count + _answered.Count;
    }

    /// <summary>When the log will hold at most <paramref name="count"/> requests if nothing more is granted; null while
    /// the requests in flight alone are more (an answer will tell).</summary>
    public long? WhenAtMost(long now, int count)
    {
        Prune(now);
        var excess = _inFlight.Count + _answered.Count - count;
        if (excess <= 0)
        {
            return now;
        }

        return excess > _answered.Count ? null : _answered[excess - 1] + Span;
    }

    public void Granted(long permit) => _inFlight.Add(permit);

    /// <summary>The request was answered (or failed, or was never sent) at <paramref name="now"/>.</summary>
    public void Answered(long permit, long now)
    {
        if (!_inFlight.Remove(permit))
        {
            return;
        }

        var index = _answered.Count;
        while (index > 0 && _answered[index - 1] > now)
        {
            index--;
        }

        _answered.Insert(index, now);
    }

    /// <summary>Requests in flight, and those answered at or after <paramref name="from"/>.</summary>
    public int CountSince(long from) => _inFlight.Count + _answered.Count(at => at >= from);

    private void Prune(long now)
    {
        var stale = 0;
        while (stale < _answered.Count && _answered[stale] <= now - Span)
        {
            stale++;
        }

        _answered.RemoveRange(0, stale);
    }
}
