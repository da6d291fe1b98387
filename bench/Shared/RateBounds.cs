namespace RoleMining.Bench;

/// <summary>The best schedule a client that never receives a 429 can follow, against a server allowing <c>limit</c> per <c>window</c>.</summary>
internal static class RateBounds
{
    /// <summary>
    /// <paramref name="requests"/> requests: the first <c>limit</c> at once, then <c>limit</c> more each window, so the last
    /// goes out <c>(ceil(requests / limit) - 1)</c> windows after the first (121 at 100 per 10 s: 10 s). Against a fixed
    /// window the client cannot see, nothing sooner is safe either.
    /// </summary>
    public static TimeSpan NoRefusal(long requests, int limit, TimeSpan window) =>
        requests <= 0 ? TimeSpan.Zero : window * ((requests + limit - 1) / limit - 1);
}
