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

    public static FakeTimeProvider Create() => new(Start);

    /// <summary>
    /// Moves <paramref name="clock"/> forward by <paramref name="step"/> at a time until <paramref name="done"/> holds,
    /// with a moment of real time after each step for the work a step released (a retry after its delay) to run. Fails
    /// after <paramref name="fakeLimit"/> of fake time: a wait that never ends is a bug.
    /// </summary>
    public static async Task AdvanceUntilAsync(this FakeTimeProvider clock, Func<bool> done, TimeSpan step, TimeSpan fakeLimit)
    {
        var end = clock.GetUtcNow() + fakeLimit;
        while (!done())
        {
            if (clock.GetUtcNow() >= end)
            {
                throw new TimeoutException($"Still not done after {fakeLimit} of fake time.");
            }

            await Task.Delay(1);
            clock.Advance(step);
        }
    }
}
