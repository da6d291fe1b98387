namespace RoleMining.Exports;

/// <summary>
/// CRC-32 (IEEE 802.3, the zip polynomial), table-driven. Hand-written because .NET's <c>ZipArchive</c> does not check
/// an entry's CRC when reading and <c>System.IO.Hashing</c> does not restore on the build machines; the algorithm is the
/// textbook reflected form (polynomial 0xEDB88320).
/// </summary>
internal struct Crc32
{
    private static readonly uint[] Table = BuildTable();
    private uint _state;

    public Crc32() => _state = 0xFFFFFFFFu;

    public readonly uint Value => ~_state;

    public void Append(ReadOnlySpan<byte> data)
    {
        var state = _state;
        var table = Table;
        foreach (var value in data)
        {
            state = table[(state ^ value) & 0xFF] ^ (state >> 8);
        }

        _state = state;
    }

    public static uint Compute(ReadOnlySpan<byte> data)
    {
        var crc = new Crc32();
        crc.Append(data);
        return crc.Value;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint index = 0; index < table.Length; index++)
        {
            var value = index;
            for (var bit = 0; bit < 8; bit++)
            {
                value = (value & 1) != 0 ? 0xEDB88320u ^ (value >> 1) : value >> 1;
            }

            table[index] = value;
        }

        return table;
    }
}
