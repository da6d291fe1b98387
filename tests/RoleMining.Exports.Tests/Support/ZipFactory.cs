using System.IO.Compression;
using System.Text;

namespace RoleMining.Exports.Tests.Support;

/// <summary>Builds zips for the verification tests, including deliberately bad ones.</summary>
internal static class ZipFactory
{
    public static readonly byte[] Identities = Encoding.UTF8.GetBytes("id,name,department\r\n1,Ann,Sales\r\n2,Bob,\"Research, Lab\"\r\n3,Cy,\"Multi\r\nline\"\r\n");
    public static readonly byte[] Entitlements = Encoding.UTF8.GetBytes("entitlementRef.id,name,popularity\r\ne1,Read,100\r\ne2,Write,50\r\n");

    public static byte[] Create(params (string Name, byte[] Content)[] entries) =>
        Create(CompressionLevel.Optimal, entries);

    public static byte[] Create(CompressionLevel level, params (string Name, byte[] Content)[] entries)
    {
        using var buffer = new MemoryStream();
        using (var archive = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content) in entries)
            {
                var entry = archive.CreateEntry(name, level);
                using var stream = entry.Open();
                stream.Write(content);
            }
        }

        return buffer.ToArray();
    }

    /// <summary>
    /// A zip written to a stream that cannot seek, as the emulator and Java's ZipOutputStream write them: sizes and CRC
    /// follow each entry's data in a data descriptor (flag bit 3), the local headers hold zeros.
    /// </summary>
    public static byte[] CreateStreamed(CompressionLevel level, params (string Name, byte[] Content)[] entries)
    {
        using var buffer = new MemoryStream();
        using (var archive = new ZipArchive(new ForwardOnlyStream(buffer), ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content) in entries)
            {
                var entry = archive.CreateEntry(name, level);
                using var stream = entry.Open();
                stream.Write(content);
            }
        }

        return buffer.ToArray();
    }

    /// <summary>A zip like the ones SailPoint and the emulator produce.</summary>
    public static byte[] Valid(CompressionLevel level = CompressionLevel.Optimal) =>
        Create(level, ("identities.csv", Identities), ("entitlements.csv", Entitlements));

    /// <summary>Finds each occurrence of a 4-byte little-endian signature.</summary>
    public static IEnumerable<int> Signatures(byte[] zip, uint signature)
    {
        for (var index = 0; index <= zip.Length - 4; index++)
        {
            if (BitConverter.ToUInt32(zip, index) == signature)
            {
                yield return index;
            }
        }
    }

    /// <summary>
    /// <paramref name="zip"/> with its last entry marked encrypted (general purpose flag bit 0) in its local and its
    /// central header alike, as a writer that encrypts marks it; the data are left as they are.
    /// </summary>
    public static byte[] WithLastEntryEncrypted(byte[] zip)
    {
        var marked = (byte[])zip.Clone();
        marked[Signatures(marked, LocalHeader).Last() + 6] |= 0x01;
        marked[Signatures(marked, CentralHeader).Last() + 8] |= 0x01;
        return marked;
    }

    /// <summary>Offset of the first data byte of the entry whose local header is at <paramref name="local"/>.</summary>
    public static int DataStart(byte[] zip, int local) =>
        local + 30 + BitConverter.ToUInt16(zip, local + 26) + BitConverter.ToUInt16(zip, local + 28);

    public const uint LocalHeader = 0x04034b50;
    public const uint CentralHeader = 0x02014b50;
}

/// <summary>Writes through to a stream but cannot seek, so that zip writers stream (data descriptors).</summary>
internal sealed class ForwardOnlyStream(Stream inner) : Stream
{
    private long _position;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override void Flush() => inner.Flush();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count)
    {
        inner.Write(buffer, offset, count);
        _position += count;
    }
}

/// <summary>Lets a test read what was written after the code under test disposed its destination.</summary>
internal sealed class KeepOpenStream(MemoryStream inner) : MemoryStream
{
    public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => inner.WriteAsync(buffer, cancellationToken);
}
