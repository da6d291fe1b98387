using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;

namespace RoleMining.SailPoint.Tests.Infrastructure;

/// <summary>
/// Fake clocks for tests whose subject waits (Retry-After, token lifetimes, rate windows): the test moves the time the
/// client and the emulator see instead of waiting for it, so that a wait is measured exactly and costs no real time.
/// </summary>
internal static class FakeClock
{
    /// <summary>Where the clocks start: a fixed moment, so that times in assertions are exact.</summary>
    public static readonly DateTimeOffset Start = new(2026, 7, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>How far <see cref="AdvanceUntilAsync"/> moves the clock at a time: the precision of a measured wait.</summary>
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(50);

    /// <summary>Fake time after which <see cref="AdvanceUntilAsync"/> gives up: a wait that never ends is a bug.</summary>
    private static readonly TimeSpan FakeLimit = TimeSpan.FromSeconds(30);

    /// <summary>Real time after which the helpers give up, whatever the fake clock shows (a busy machine is slow, not wrong).</summary>
    private static readonly TimeSpan RealLimit = TimeSpan.FromSeconds(30);

    public static FakeTimeProvider Create() => new(Start);

    /// <summary>
    /// Moves <paramref name="clock"/> forward a step at a time until <paramref name="done"/> holds, with a moment of real
    /// time after each step for the work it released (a retry after its delay) to run. While <paramref name="idle"/> says
    /// no (a real request on its way), the clock stands still: real work must not see fake time pass, or a busy machine
    /// would turn it into a timeout.
    /// </summary>
    public static async Task AdvanceUntilAsync(this FakeTimeProvider clock, Func<bool> done, Func<bool>? idle = null, TimeSpan? step = null)
    {
        var end = clock.GetUtcNow() + FakeLimit;
        var watch = Stopwatch.StartNew();
        while (!done())
        {
            if (clock.GetUtcNow() >= end || watch.Elapsed >= RealLimit)
            {
                throw new TimeoutException($"Still not done after {clock.GetUtcNow() - end + FakeLimit} of fake time and {watch.Elapsed} of real time.");
            }

            await Task.Delay(1);
            if (!done() && (idle is null || idle()))
            {
                clock.Advance(step ?? Step);
            }
        }
    }
}
