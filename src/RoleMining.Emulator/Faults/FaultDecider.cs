using Microsoft.Extensions.Options;
using RoleMining.Emulator.Tenant;

namespace RoleMining.Emulator.Faults;

/// <summary>Decides which requests get a fault, from a generator seeded with <see cref="EmulatorFaultOptions.Seed"/>
/// (re-seeded when the live seed changes), so that a run with the same requests in the same order reproduces.</summary>
internal sealed class FaultDecider(IOptions<EmulatorOptions> options)
{
    private readonly Lock _lock = new();
    private SplitMix64 _random;
    private int? _seed;

    /// <summary>True with probability <paramref name="share"/>; shares of 0 and 1 consume no randomness.</summary>
    public bool Chance(double share)
    {
        if (share <= 0)
        {
            return false;
        }

        if (share >= 1)
        {
            return true;
        }

        lock (_lock)
        {
            EnsureSeeded();
            return _random.NextDouble() < share;
        }
    }

    /// <summary>One of <paramref name="values"/>, uniformly.</summary>
    public T Pick<T>(IReadOnlyList<T> values)
    {
        lock (_lock)
        {
            EnsureSeeded();
            return _random.Pick(values);
        }
    }

    private void EnsureSeeded()
    {
        var seed = options.Value.Faults.Seed;
        if (_seed != seed)
        {
            _seed = seed;
            _random = new SplitMix64(SplitMix64.Mix((ulong)seed + 0xFA17));
        }
    }
}
