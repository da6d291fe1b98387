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

    public static FakeTimeProvider Create() => new(Start);

    /// <summary>
    /// Moves <paramref name="clock"/> forward a step at a time until <paramref name="done"/> holds, with a moment of real
    /// time after each step for the work it released (a retry after its delay) to run.
    /// </summary>
    public static async Task AdvanceUntilAsync(this FakeTimeProvider clock, Func<bool> done)
    {
        var end = clock.GetUtcNow() + FakeLimit;
        while (!done())
        {
            if (clock.GetUtcNow() >= end)
            {
                throw new TimeoutException($"Still not done after {FakeLimit} of fake time.");
            }

            await Task.Delay(1);
            clock.Advance(Step);
        }
    }
}
