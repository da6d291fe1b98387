namespace RoleMining.Emulator.Tenant;

/// <summary>
/// SplitMix64, hand-written because <see cref="Random"/>'s seeded sequence is not guaranteed to stay the same across
/// .NET versions, and lazily generated identities need a stateless, bijective hash of (role, index) anyway.
/// </summary>
internal struct SplitMix64(ulong seed)
{
    private const ulong Golden = 0x9E3779B97F4A7C15UL;
    private ulong _state = seed;

    /// <summary>The next 64 random bits.</summary>
    public ulong Next()
    {
        _state += Golden;
        return Mix(_state);
    }

    /// <summary>A uniform integer in [<paramref name="minInclusive"/>, <paramref name="maxInclusive"/>].</summary>
    public int Between(int minInclusive, int maxInclusive) =>
        maxInclusive <= minInclusive ? minInclusive : (int)(minInclusive + (long)(Next() % (ulong)((long)maxInclusive - minInclusive + 1)));

    /// <summary>A uniform double in [0, 1).</summary>
    public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));

    /// <summary>One element of <paramref name="items"/>.</summary>
    public T Pick<T>(IReadOnlyList<T> items) => items[(int)(Next() % (ulong)items.Count)];

    /// <summary>A version-4 style UUID string.</summary>
    public string NextUuid()
    {
        Span<byte> bytes = stackalloc byte[16];
        BitConverter.TryWriteBytes(bytes, Next());
        BitConverter.TryWriteBytes(bytes[8..], Next());
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40); // version 4 (Guid stores the time_hi field little-endian)
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC 4122 variant
        return new Guid(bytes).ToString("D");
    }

    /// <summary>32 lowercase hex characters, like ISC object ids.</summary>
    public string NextHexId() => Hex(Next()) + Hex(Next());

    /// <summary>The SplitMix64 finaliser: a bijection on 64-bit values, so distinct inputs give distinct outputs.</summary>
    public static ulong Mix(ulong value)
    {
        value = (value ^ (value >> 30)) * 0xBF58476D1CE4E5B9UL;
        value = (value ^ (value >> 27)) * 0x94D049BB133111EBUL;
        return value ^ (value >> 31);
    }

    /// <summary>A hash of several values (not a bijection; for deriving independent seeds).</summary>
    public static ulong Combine(ulong first, ulong second) => Mix(first * Golden + Mix(second + Golden));

    /// <summary>16 lowercase hex characters.</summary>
    public static string Hex(ulong value) => value.ToString("x16", System.Globalization.CultureInfo.InvariantCulture);
}
