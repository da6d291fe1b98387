using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;

namespace RoleMining.Exports.Tests.Support;

/// <summary>
/// A clock that follows real time until a test pauses it, then moves only when the test advances it: so a check that
/// depends on timers (a lease renewed every third of its duration) cannot be decided by how busy the machine is.
/// </summary>
internal sealed class PausableClock : FakeTimeProvider, IAsyncDisposable
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(5);
    private CancellationTokenSource? _follow;
    private Task _following = Task.CompletedTask;

    public PausableClock()
        : base(DateTimeOffset.UtcNow)
    {
        Resume();
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
}
