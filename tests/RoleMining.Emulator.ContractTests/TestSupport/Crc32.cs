namespace RoleMining.Emulator.ContractTests.TestSupport;

/// <summary>
/// CRC-32 (IEEE 802.3, the zip checksum). Hand-written because System.IO.Hashing does not restore from the
/// NuGet mirror used here, and ZipArchive does not verify the checksum when an entry is read (checked on .NET 10).
/// </summary>
public static class Crc32
{
    private static readonly uint[] Table = Enumerable.Range(0, 256).Select(n =>
    {
        var c = (uint)n;
        for (var k = 0; k < 8; k++)
        {
            c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        }

        return c;
    }).ToArray();

    public static uint Compute(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var crc = 0xFFFFFFFFu;
        var buffer = new byte[81920];
        int read;
        while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            foreach (var b in buffer.AsSpan(0, read))
            {
                crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
            }
        }

        return crc ^ 0xFFFFFFFFu;
    }
}
