using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;

namespace RoleMining.Exports.Tests.Support;

/// <summary>
/// A clock that follows real time until a test pauses it, then moves only when the test advances it: so a check that
/// depends on timers (a lease renewed every third of its duration) cannot be decided by how busy the machine is. It also
/// knows which one-shot timers (<see cref="Task.Delay(TimeSpan, TimeProvider, CancellationToken)"/>) are waiting, by
/// their delay, so that a test can move time only while the code it watches is waiting for it.
/// </summary>
internal sealed class PausableClock : FakeTimeProvider, IAsyncDisposable
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(5);
    private readonly ConcurrentDictionary<TimeSpan, int> _waiting = new();
    private CancellationTokenSource? _follow;
    private Task _following = Task.CompletedTask;

    public PausableClock()
        : base(DateTimeOffset.UtcNow)
    {
        Resume();
    }

    /// <summary>
    /// How many one-shot timers of <paramref name="delay"/> have neither fired nor been disposed. Within a millisecond:
    /// <see cref="Task.Delay(TimeSpan, TimeProvider, CancellationToken)"/> sets its timer in whole milliseconds.
    /// </summary>
    public int Waiting(TimeSpan delay) =>
        _waiting.Where(pair => (pair.Key - delay).Duration() < TimeSpan.FromMilliseconds(1)).Sum(pair => pair.Value);

    /// <inheritdoc />
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        if (period != Timeout.InfiniteTimeSpan || dueTime <= TimeSpan.Zero)
        {
            return base.CreateTimer(callback, state, dueTime, period);
        }

        var tracked = new WaitingTimer(this, dueTime);
        _waiting.AddOrUpdate(dueTime, 1, (_, count) => count + 1);
        tracked.Inner = base.CreateTimer(
            timerState =>
            {
                tracked.Finish();
                callback(timerState);
            },
            state,
            dueTime,
            period);
        return tracked;
    }

    /// <summary>Stops following real time; returns once the clock no longer moves by itself.</summary>
    public async Task PauseAsync()
    {
        if (_follow is null)
        {
            return;
        }

        await _follow.CancelAsync();
        await _following;
        _follow.Dispose();
        _follow = null;
    }

    /// <summary>Follows real time again from where the clock stands.</summary>
    public void Resume()
    {
        if (_follow is not null)
        {
            return;
        }

        _follow = new CancellationTokenSource();
        _following = FollowAsync(_follow.Token);
    }

    public async ValueTask DisposeAsync() => await PauseAsync();

    private async Task FollowAsync(CancellationToken stop)
    {
        var watch = Stopwatch.StartNew();
        var followed = TimeSpan.Zero;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Tick, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var elapsed = watch.Elapsed;
            Advance(elapsed - followed);
            followed = elapsed;
        }
    }

    /// <summary>A one-shot timer that is counted as waiting until it fires or is disposed.</summary>
    private sealed class WaitingTimer(PausableClock clock, TimeSpan dueTime) : ITimer
    {
        private int _finished;

        public ITimer? Inner { get; set; }

        public bool Change(TimeSpan dueTime, TimeSpan period) => Inner!.Change(dueTime, period);

        public void Finish()
        {
            if (Interlocked.Exchange(ref _finished, 1) == 0)
            {
                clock._waiting.AddOrUpdate(dueTime, 0, (_, count) => count - 1);
            }
        }

        public void Dispose()
        {
            Finish();
            Inner?.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Finish();
            return Inner?.DisposeAsync() ?? ValueTask.CompletedTask;
        }
    }
}
