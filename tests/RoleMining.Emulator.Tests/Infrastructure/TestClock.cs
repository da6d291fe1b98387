namespace RoleMining.Emulator.Tests.Infrastructure;

/// <summary>Where the tests' clocks (<c>FakeTimeProvider</c>) start: a fixed moment, so that times in assertions are exact.</summary>
internal static class TestClock
{
    public static readonly DateTimeOffset Start = new(2026, 7, 1, 12, 0, 0, TimeSpan.Zero);
}
