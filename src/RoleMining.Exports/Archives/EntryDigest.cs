using System.IO.Hashing;
using System.Security.Cryptography;

namespace RoleMining.Exports;

/// <summary>An entry of a verified zip, as unpacked.</summary>
/// <param name="Name">The expected name it matched.</param>
/// <param name="Size">Uncompressed size in bytes.</param>
/// <param name="Sha256">SHA-256 of the uncompressed content, lowercase hex.</param>
/// <param name="RowCount">Data rows of the CSV file (the header row not counted).</param>
public sealed record ExtractedEntry(string Name, long Size, string Sha256, long RowCount);

/// <summary>
/// Everything learned from an entry's uncompressed bytes as they go by once: size, CRC-32 (checked against the zip's),
/// SHA-256 (for the manifest) and CSV rows, so that no later pass has to read the file again.
/// </summary>
internal sealed class EntryDigest : IDisposable
{
    private readonly Crc32 _crc = new();
    private readonly IncrementalHash _sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly CsvRowCounter _rows;

    public EntryDigest(string name)
    {
        Name = name;
        _rows = new CsvRowCounter(name);
    }

    public string Name { get; }

    public long Size { get; private set; }

    public uint Crc32 => _crc.GetCurrentHashAsUInt32();

    public void Append(ReadOnlySpan<byte> data)
    {
        Size += data.Length;
        _crc.Append(data);
        _sha256.AppendData(data);
        _rows.Append(data);
    }

    /// <summary>The entry's figures; call once, after its CRC and size were checked.</summary>
    public ExtractedEntry Complete() => new(Name, Size, Convert.ToHexStringLower(_sha256.GetHashAndReset()), _rows.Complete());

    public void Dispose() => _sha256.Dispose();
}
