using Microsoft.Extensions.Options;

namespace RoleMining.Emulator.RateLimiting;

/// <summary>
/// The service's limits per client id: the client-wide window and, for operations with a limit of their own, a window
/// per operation; a request is admitted only when every window that applies has room, and a refused request counts
/// against none. Counting is exact arithmetic on the injected <see cref="TimeProvider"/>'s clock rather than
/// System.Threading.RateLimiting's limiters: those replenish on a timer, whose lateness on a loaded machine stretches
/// the windows, and cannot say exactly when the next permit is free (<c>Retry-After</c>).
/// </summary>
internal sealed class ClientRateLimiter
{
    private readonly object _gate = new();
    private readonly Dictionary<(string ClientId, string Scope), WindowCounter> _counters = [];
    private readonly EmulatorRateLimitOptions _settings;
    private readonly TimeProvider _time;
    private readonly EmulatorStatistics _statistics;

    public ClientRateLimiter(IOptions<EmulatorOptions> options, TimeProvider timeProvider, EmulatorStatistics statistics)
    {
        _settings = options.Value.RateLimit;
        _time = timeProvider;
        _statistics = statistics;
    }

    public bool Enabled => _settings.Enabled;

    /// <summary>Takes a permit of <paramref name="operationId"/> (canonical) for <paramref name="clientId"/>; when a window
    /// that applies is full, says how long until it has room.</summary>
    public bool TryAcquire(string clientId, string operationId, out TimeSpan retryAfter)
    {
        lock (_gate)
        {
            // The UTC clock of the TimeProvider, so that tests can move it (a wall-clock step is an emulator's risk to take).
            var now = _time.GetUtcNow().UtcTicks;
            _statistics.RecordApiArrival(clientId, now, _settings.Window);
            var client = Counter(clientId, "", _settings.PermitLimit, _settings.Window);
            var operation = _settings.Operations.TryGetValue(operationId, out var limit)
                ? Counter(clientId, operationId, limit.PermitLimit, limit.Window)
                : null;

            var wait = Math.Max(client.TicksUntilRoom(now), operation?.TicksUntilRoom(now) ?? 0);
            if (wait > 0)
            {
                retryAfter = TimeSpan.FromTicks(wait);
                return false;
            }

            client.Add(now);
            operation?.Add(now);
            retryAfter = TimeSpan.Zero;
            return true;
        }
    }

    /// <summary>Forgets every window's count: the next request is the first of a new window, as on a fresh server.</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _counters.Clear();
        }
    }

    private WindowCounter Counter(string clientId, string scope, int limit, TimeSpan window)
    {
        if (!_counters.TryGetValue((clientId, scope), out var counter))
        {
            counter = _settings.Mode == EmulatorRateLimitMode.SlidingWindow
                ? new SlidingWindowCounter(limit, window.Ticks)
                : new FixedWindowCounter(limit, window.Ticks);
            _counters[(clientId, scope)] = counter;
        }

        return counter;
    }

    private abstract class WindowCounter(int limit, long window)
    {
        protected int Limit { get; } = limit;

        protected long Window { get; } = window;

        /// <summary>0 when a request may be admitted at <paramref name="now"/>, else the ticks until one may.</summary>
        public abstract long TicksUntilRoom(long now);

        public abstract void Add(long now);
    }

    /// <summary>Windows <c>[start + k·W, start + (k+1)·W)</c>, <c>start</c> being the first admitted request.</summary>
    private sealed class FixedWindowCounter(int limit, long window) : WindowCounter(limit, window)
    {
        private long? _start;
        private long _index;
        private int _count;

        public override long TicksUntilRoom(long now)
        {
            if (_start is not { } start)
            {
                return 0;
            }

            var index = (now - start) / Window;
            var count = index == _index ? _count : 0;
            return count < Limit ? 0 : start + ((index + 1) * Window) - now;
        }

        public override void Add(long now)
        {
            _start ??= now;
            var index = (now - _start.Value) / Window;
            if (index != _index)
            {
                _index = index;
                _count = 0;
            }

            _count++;
        }
    }

    /// <summary>The admitted requests of the last window, whatever their alignment.</summary>
    private sealed class SlidingWindowCounter(int limit, long window) : WindowCounter(limit, window)
    {
        private readonly Queue<long> _admitted = new();

        public override long TicksUntilRoom(long now)
        {
            while (_admitted.TryPeek(out var oldest) && oldest <= now - Window)
            {
                _admitted.Dequeue();
            }

            return _admitted.Count < Limit ? 0 : _admitted.Peek() + Window - now;
        }

        public override void Add(long now) => _admitted.Enqueue(now);
    }
}
