using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace RoleMining.Emulator.RateLimiting;

/// <summary>
/// The service's per-client fixed window (System.Threading.RateLimiting). Each client's window starts with its first
/// request and is replenished by the limiter's own timer, so the time to the next permit follows from that start;
/// the lease's own RetryAfter metadata is always a whole window, too pessimistic for <c>Retry-After</c>.
/// </summary>
internal sealed class ClientRateLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter;
    private readonly ConcurrentDictionary<string, long> _windowStarts = new(StringComparer.Ordinal);
    private readonly TimeSpan _window;

    public ClientRateLimiter(IOptions<EmulatorOptions> options)
    {
        var settings = options.Value.RateLimit;
        Enabled = settings.Enabled;
        _window = settings.Window;
        var limiterOptions = new FixedWindowRateLimiterOptions
        {
            PermitLimit = settings.PermitLimit,
            Window = settings.Window,
            QueueLimit = 0,
            AutoReplenishment = true,
        };
        _limiter = PartitionedRateLimiter.Create<string, string>(clientId => RateLimitPartition.Get(clientId, key =>
        {
            _windowStarts[key] = TimeProvider.System.GetTimestamp();
            return new FixedWindowRateLimiter(limiterOptions);
        }));
    }

    public bool Enabled { get; }

    /// <summary>Takes a permit for <paramref name="clientId"/>; when none is left, says how long until the next window.</summary>
    public bool TryAcquire(string clientId, out TimeSpan retryAfter)
    {
        using var lease = _limiter.AttemptAcquire(clientId);
        if (lease.IsAcquired)
        {
            retryAfter = TimeSpan.Zero;
            return true;
        }

        var start = _windowStarts.GetValueOrDefault(clientId, TimeProvider.System.GetTimestamp());
        var elapsed = TimeProvider.System.GetElapsedTime(start);
        var remaining = _window - TimeSpan.FromTicks(elapsed.Ticks % _window.Ticks);

        // A little margin so that a client waiting exactly Retry-After lands after the timer's replenishment.
        retryAfter = remaining + TimeSpan.FromMilliseconds(50);
        return false;
    }

    public void Dispose() => _limiter.Dispose();
}
