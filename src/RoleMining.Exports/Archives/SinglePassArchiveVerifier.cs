using System.Buffers.Binary;
using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Text;

namespace RoleMining.Exports;

/// <summary>
/// Verifies and unpacks an export zip in the one pass in which it is downloaded: it reads the zip front to back as the
/// bytes arrive (local header, data, data descriptor of each entry, then the central directory and its end record),
/// applies the same <see cref="ArchiveEntryRules"/> as <see cref="ExportArchiveInspector"/>, and feeds every unpacked
/// byte once through CRC-32, SHA-256 and the CSV row counter on its way to storage. At the end the central directory
/// must describe exactly the entries that were read (names, offsets, sizes, CRCs), so a zip whose directory says
/// something else than its data (overlapping entries, hidden files) is never accepted from the stream alone.
/// </summary>
/// <remarks>
/// Hand-written around <see cref="System.IO.Compression.DeflateStream"/> because <see cref="System.IO.Compression.ZipArchive"/>
/// starts at the central directory, at the end of the file: it needs the whole zip stored first and a second pass over it.
/// Zip was made for readers that start at the central directory; a forward reader has to find where an entry ends when
/// the local header does not say (bit 3: sizes follow the data in a descriptor, as .NET's and Java's writers do when
/// they stream). Deflated data ends by itself; stored data ends where a descriptor is found whose sizes equal the bytes
/// read and whose CRC-32 equals theirs, followed by the next header. Anything this reader cannot follow for certain
/// raises <see cref="ArchiveNotStreamableException"/>, and the caller verifies the stored zip with the seekable
/// inspector instead (a second pass, for unusual zips only). A definite fault (truncation, CRC, size, names, limits)
/// raises <see cref="InvalidExportArchiveException"/> at once.
/// </remarks>
internal sealed class SinglePassArchiveVerifier
{
    private const uint LocalHeaderSignature = 0x04034b50;
    private const uint CentralHeaderSignature = 0x02014b50;
    private const uint EndOfDirectorySignature = 0x06054b50;
    private const uint Zip64EndOfDirectorySignature = 0x06064b50;
    private const uint Zip64LocatorSignature = 0x07064b50;
    private const uint DescriptorSignature = 0x08074b50;
    private const int LocalHeaderLength = 30;
    private const int CentralHeaderLength = 46;
    private const int EndOfDirectoryLength = 22;
    private const int Zip64LocatorLength = 20;
    private const ushort Zip64ExtraId = 0x0001;
    private const ushort EncryptedFlag = 0x0001;
    private const ushort DescriptorFlag = 0x0008;
    private const ushort Stored = 0;
    private const ushort Deflated = 8;

    /// <summary>Entry writes queued ahead of storage, in <see cref="SharedChunk.Size"/> blocks.</summary>
    private const int EntryWriteQueue = 4;

    private static ReadOnlySpan<byte> DescriptorSignatureBytes => [0x50, 0x4B, 0x07, 0x08];

    private readonly ArchiveEntryRules _rules;

    public SinglePassArchiveVerifier(ExportArchiveOptions options)
    {
        _rules = new ArchiveEntryRules(options);
    }

    /// <summary>
    /// Reads the whole zip from <paramref name="source"/>, unpacking each expected entry into the stream
    /// <paramref name="openDestination"/> returns for its name (written behind, disposed afterwards). Returns the entries
    /// in the order of the expected names.
    /// </summary>
    /// <exception cref="InvalidExportArchiveException">The zip failed a check; the destinations may hold partial data.</exception>
    /// <exception cref="ArchiveNotStreamableException">The zip must be verified from storage instead.</exception>
    public async Task<IReadOnlyList<ExtractedEntry>> VerifyAndExtractAsync(
        ZipByteSource source,
        Func<string, CancellationToken, Task<Stream>> openDestination,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(openDestination);
        if (!await source.EnsureAsync(4, cancellationToken).ConfigureAwait(false))
        {
            throw new InvalidExportArchiveException(ExportArchiveProblem.NotAZip, null, "The downloaded export is not a zip file.");
        }

        var signature = PeekUInt32(source, 0);
        if (signature is not (LocalHeaderSignature or EndOfDirectorySignature))
        {
            // An HTML error page, or a zip behind a preamble (which the seekable reader accepts): its verdict decides.
            throw new ArchiveNotStreamableException("The download does not start with a zip entry.");
        }

        var state = new ArchiveState();
        while (signature == LocalHeaderSignature)
        {
            await ReadEntryAsync(source, state, openDestination, cancellationToken).ConfigureAwait(false);
            await EnsureOrTruncatedAsync(source, 4, cancellationToken).ConfigureAwait(false);
            signature = PeekUInt32(source, 0);
        }

        await ReadDirectoryAsync(source, state.Entries, cancellationToken).ConfigureAwait(false);
        _rules.ThrowIfMissing(state.Seen);
        return _rules.Expected.Select(name => state.Results[name]).ToList();
    }

    private async Task ReadEntryAsync(
        ZipByteSource source,
        ArchiveState state,
        Func<string, CancellationToken, Task<Stream>> openDestination,
        CancellationToken cancellationToken)
    {
        var headerOffset = source.Position;
        await EnsureOrTruncatedAsync(source, LocalHeaderLength, cancellationToken).ConfigureAwait(false);
        var header = new byte[LocalHeaderLength];
        source.Peek(0, header);
        var flags = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(6));
        var method = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(8));
        var crc = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(14));
        long compressedSize = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(18));
        long size = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(22));
        var nameLength = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(26));
        var extraLength = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(28));
        await EnsureOrTruncatedAsync(source, LocalHeaderLength + nameLength + extraLength, cancellationToken).ConfigureAwait(false);
        var variable = new byte[nameLength + extraLength];
        source.Peek(LocalHeaderLength, variable);
        source.Advance(LocalHeaderLength + nameLength + extraLength);

        var name = DecodeName(variable.AsSpan(0, nameLength));
        var expectedName = _rules.Admit(name, (flags & EncryptedFlag) != 0, state.Seen);
        var hasDescriptor = (flags & DescriptorFlag) != 0;
        if (!hasDescriptor && !TryApplyZip64(variable.AsSpan(nameLength), ref size, ref compressedSize, offset: null))
        {
            throw new ArchiveNotStreamableException($"The local header of '{name}' announces zip64 sizes it does not hold.");
        }

        if (method is not (Stored or Deflated))
        {
            throw new ArchiveNotStreamableException($"The entry '{name}' uses compression method {method}.");
        }

        var declared = hasDescriptor ? (long?)null : size;
        if (declared is not null)
        {
            // Sizes known up front are checked before a byte is unpacked, as the seekable inspector does.
            _rules.CheckSizes(name, size, compressedSize, ref state.Total);
            if (method == Stored && compressedSize != size)
            {
                throw new InvalidExportArchiveException(ExportArchiveProblem.CorruptData, expectedName, $"The export zip entry '{expectedName}' is stored but declares {compressedSize:N0} bytes packed and {size:N0} unpacked.");
            }
        }

        var destination = await openDestination(expectedName, cancellationToken).ConfigureAwait(false);
        var entry = new EntryWrite(this, expectedName, declared, state.Total, new WriteBehind(destination, EntryWriteQueue));
        await using (entry.ConfigureAwait(false))
        {
            var dataStart = source.Position;
            EntryEnd end;
            if (method == Stored && declared is not null)
            {
                await CopyStoredAsync(source, compressedSize, entry, cancellationToken).ConfigureAwait(false);
                end = new EntryEnd(crc, compressedSize, size);
            }
            else if (method == Stored)
            {
                end = await CopyStoredUntilDescriptorAsync(source, dataStart, entry, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                end = await InflateAsync(source, dataStart, declared is null ? null : compressedSize, entry, cancellationToken).ConfigureAwait(false);
                if (declared is not null)
                {
                    end = new EntryEnd(crc, compressedSize, size);
                }
            }

            var digest = entry.Digest;
            if (digest.Size != end.Size)
            {
                throw new InvalidExportArchiveException(ExportArchiveProblem.CorruptData, expectedName, $"The export zip entry '{expectedName}' holds {digest.Size:N0} bytes but declares {end.Size:N0}.");
            }

            if (digest.Crc32 != end.Crc)
            {
                throw new InvalidExportArchiveException(ExportArchiveProblem.CorruptData, expectedName, $"The export zip entry '{expectedName}' fails its CRC-32 check (corrupt data).");
            }

            if (declared is null)
            {
                _rules.CheckSizes(name, end.Size, end.CompressedSize, ref state.Total);
            }

            await entry.Writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
            state.Results[expectedName] = digest.Complete();
            state.Entries.Add(new LocalEntry(headerOffset, name, flags, method, end.Crc, end.CompressedSize, end.Size));
        }
    }

    /// <summary>A stored entry whose size the header gave: its bytes go to storage as they are (no copy).</summary>
    private static async Task CopyStoredAsync(ZipByteSource source, long length, EntryWrite entry, CancellationToken cancellationToken)
    {
        var remaining = length;
        while (remaining > 0)
        {
            await EnsureHeadOrTruncatedAsync(source, cancellationToken).ConfigureAwait(false);
            var take = (int)Math.Min(source.Head.Length, remaining);
            await entry.AppendAsync(source.HeadBlock!, source.HeadOffset, take, cancellationToken).ConfigureAwait(false);
            source.Advance(take);
            remaining -= take;
        }
    }

    /// <summary>
    /// A stored entry whose size only its data descriptor gives: the bytes go to storage until a descriptor signature is
    /// found whose sizes equal the bytes so far and which is followed by the next header; its CRC-32 must then match.
    /// The signature (PK 07 08) cannot occur in CSV text, which has no control characters but tab, CR and LF.
    /// </summary>
    private static async Task<EntryEnd> CopyStoredUntilDescriptorAsync(ZipByteSource source, long dataStart, EntryWrite entry, CancellationToken cancellationToken)
    {
        var probe = new byte[28];
        while (true)
        {
            if (!await source.EnsureHeadAsync(cancellationToken).ConfigureAwait(false))
            {
                throw new ArchiveNotStreamableException($"The stored entry '{entry.Name}' runs to the end of the download without a data descriptor.");
            }

            var headLength = source.Head.Length;
            var hit = source.Head.IndexOf(DescriptorSignatureBytes);
            var plain = hit >= 0 ? hit : Math.Max(0, headLength - 3);
            if (plain == 0 && hit != 0)
            {
                // The last bytes of a block: a signature may start here and go on in the next block.
                if (!await source.EnsureAsync(headLength + 3, cancellationToken).ConfigureAwait(false))
                {
                    throw new ArchiveNotStreamableException($"The stored entry '{entry.Name}' runs to the end of the download without a data descriptor.");
                }

                var tail = headLength;
                plain = tail;
                for (var start = 0; start < tail; start++)
                {
                    source.Peek(start, probe.AsSpan(0, 4));
                    if (probe.AsSpan(0, 4).SequenceEqual(DescriptorSignatureBytes))
                    {
                        plain = start;
                        break;
                    }
                }
            }

            if (plain > 0)
            {
                await entry.AppendAsync(source.HeadBlock!, source.HeadOffset, plain, cancellationToken).ConfigureAwait(false);
                source.Advance(plain);
                continue;
            }

            // A signature at the position: the descriptor, or data that looks like one.
            var length = source.Position - dataStart;
            var available = await source.EnsureAsync(probe.Length, cancellationToken).ConfigureAwait(false) ? probe.Length : (int)source.Buffered;

            source.Peek(0, probe.AsSpan(0, available));
            if (TryReadDescriptor(probe.AsSpan(0, available), withSignature: true, length, entry.Digest.Size) is { } end)
            {
                source.Advance(end.DescriptorLength);
                return new EntryEnd(end.Crc, length, length);
            }

            await entry.AppendAsync(source.HeadBlock!, source.HeadOffset, 1, cancellationToken).ConfigureAwait(false);
            source.Advance(1);
        }
    }

    /// <summary>
    /// A deflated entry: inflated once into pooled blocks on their way to storage. Without sizes in the header, the
    /// ratio of what came out to what went in is checked as it grows, and the data descriptor is looked for where the
    /// inflater stopped (it reads up to a few kilobytes past the end of the deflate data).
    /// </summary>
    private async Task<EntryEnd> InflateAsync(ZipByteSource source, long dataStart, long? compressedSize, EntryWrite entry, CancellationToken cancellationToken)
    {
        var input = new ZipEntryInputStream(source, compressedSize);
        await using (input.ConfigureAwait(false))
        {
            var inflater = new DeflateStream(input, CompressionMode.Decompress, leaveOpen: true);
            await using (inflater.ConfigureAwait(false))
            {
                while (true)
                {
                    var block = SharedChunk.Rent();
                    try
                    {
                        try
                        {
                            block.Length = await inflater.ReadAtLeastAsync(block.Array.AsMemory(0, SharedChunk.Size), SharedChunk.Size, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
                        }
                        catch (InvalidDataException exception)
                        {
                            throw input.ReachedEnd
                                ? Truncated()
                                : new InvalidExportArchiveException(ExportArchiveProblem.CorruptData, entry.Name, $"The export zip entry '{entry.Name}' cannot be decompressed: {exception.Message}", exception);
                        }

                        if (block.Length == 0)
                        {
                            break;
                        }

                        await entry.AppendAsync(block, 0, block.Length, cancellationToken).ConfigureAwait(false);
                        if (compressedSize is null)
                        {
                            _rules.CheckRatio(entry.Name, entry.Digest.Size, source.Position - dataStart);
                        }
                    }
                    finally
                    {
                        block.Release();
                    }
                }
            }
        }

        if (input.ReachedEnd)
        {
            throw Truncated();
        }

        if (compressedSize is { } known)
        {
            // The deflate data may end before the declared size (padding); the declared size says where the next header is.
            var rest = dataStart + known - source.Position;
            await EnsureOrTruncatedAsync(source, rest, cancellationToken).ConfigureAwait(false);
            source.Advance(rest);
            return default;
        }

        if (!source.TryRewind((int)(source.Position - input.LastReadStart)))
        {
            throw new ArchiveNotStreamableException($"The end of the deflated entry '{entry.Name}' cannot be located.");
        }

        var window = (int)(input.LastReadEnd - input.LastReadStart);
        var probe = new byte[28];
        await source.EnsureAsync(window + probe.Length, cancellationToken).ConfigureAwait(false);
        for (var skip = 0; skip <= window; skip++)
        {
            var available = (int)Math.Min(probe.Length, source.Buffered - skip);
            if (available < 12)
            {
                break;
            }

            source.Peek(skip, probe.AsSpan(0, available));
            var length = source.Position + skip - dataStart;
            var withSignature = BinaryPrimitives.ReadUInt32LittleEndian(probe) == DescriptorSignature;
            if (TryReadDescriptor(probe.AsSpan(0, available), withSignature, length, entry.Digest.Size) is { } end)
            {
                source.Advance(skip + end.DescriptorLength);
                return new EntryEnd(end.Crc, length, entry.Digest.Size);
            }
        }

        throw new ArchiveNotStreamableException($"No data descriptor follows the deflated entry '{entry.Name}'.");
    }

    /// <summary>
    /// Reads a data descriptor at the start of <paramref name="bytes"/> if its sizes are <paramref name="compressedLength"/>
    /// and <paramref name="length"/> (32- or 64-bit fields) and the next header follows it. Its CRC is returned, not
    /// checked here: a descriptor that fits but whose CRC differs means corrupt data, which the caller reports.
    /// </summary>
    private static Descriptor? TryReadDescriptor(ReadOnlySpan<byte> bytes, bool withSignature, long compressedLength, long length)
    {
        var start = withSignature ? 4 : 0;
        if (bytes.Length >= start + 16
            && BinaryPrimitives.ReadUInt32LittleEndian(bytes[(start + 4)..]) == (uint)compressedLength
            && BinaryPrimitives.ReadUInt32LittleEndian(bytes[(start + 8)..]) == (uint)length
            && IsNextHeader(bytes[(start + 12)..]))
        {
            return new Descriptor(BinaryPrimitives.ReadUInt32LittleEndian(bytes[start..]), start + 12);
        }

        if (bytes.Length >= start + 24
            && BinaryPrimitives.ReadInt64LittleEndian(bytes[(start + 4)..]) == compressedLength
            && BinaryPrimitives.ReadInt64LittleEndian(bytes[(start + 12)..]) == length
            && IsNextHeader(bytes[(start + 20)..]))
        {
            return new Descriptor(BinaryPrimitives.ReadUInt32LittleEndian(bytes[start..]), start + 20);
        }

        return null;
    }

    private static bool IsNextHeader(ReadOnlySpan<byte> bytes) =>
        BinaryPrimitives.ReadUInt32LittleEndian(bytes) is LocalHeaderSignature or CentralHeaderSignature;

    /// <summary>
    /// The central directory and its end record: must list exactly the entries read, at the offsets they were read
    /// from, with the same names, flags, methods, CRCs and sizes, and the download must end with the end record.
    /// </summary>
    private static async Task ReadDirectoryAsync(ZipByteSource source, IReadOnlyList<LocalEntry> entries, CancellationToken cancellationToken)
    {
        var directoryStart = source.Position;
        var header = new byte[CentralHeaderLength];
        foreach (var local in entries)
        {
            await EnsureOrTruncatedAsync(source, CentralHeaderLength, cancellationToken).ConfigureAwait(false);
            source.Peek(0, header);
            if (BinaryPrimitives.ReadUInt32LittleEndian(header) != CentralHeaderSignature)
            {
                throw new ArchiveNotStreamableException("The central directory lists fewer entries than the zip holds.");
            }

            var flags = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(8));
            var method = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(10));
            var crc = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(16));
            long compressedSize = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(20));
            long size = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(24));
            var nameLength = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(28));
            var extraLength = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(30));
            var commentLength = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(32));
            long offset = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(42));
            var total = CentralHeaderLength + nameLength + extraLength + commentLength;
            await EnsureOrTruncatedAsync(source, total, cancellationToken).ConfigureAwait(false);
            var variable = new byte[nameLength + extraLength];
            source.Peek(CentralHeaderLength, variable);
            source.Advance(total);

            var name = DecodeName(variable.AsSpan(0, nameLength));
            if (!TryApplyZip64(variable.AsSpan(nameLength), ref size, ref compressedSize, ref offset)
                || !string.Equals(name, local.Name, StringComparison.Ordinal)
                || (flags & EncryptedFlag) != (local.Flags & EncryptedFlag)
                || method != local.Method
                || crc != local.Crc
                || compressedSize != local.CompressedSize
                || size != local.Size
                || offset != local.HeaderOffset)
            {
                throw new ArchiveNotStreamableException($"The central directory describes '{name}' otherwise than its local header and data.");
            }
        }

        var directoryEnd = source.Position;
        await EnsureOrTruncatedAsync(source, 4, cancellationToken).ConfigureAwait(false);
        var signature = PeekUInt32(source, 0);
        long? zip64Entries = null;
        long? zip64DirectorySize = null;
        long? zip64DirectoryOffset = null;
        if (signature == Zip64EndOfDirectorySignature)
        {
            await EnsureOrTruncatedAsync(source, 12, cancellationToken).ConfigureAwait(false);
            var recordLength = 12 + PeekInt64(source, 4);
            if (recordLength < 56 || recordLength > 1024 * 1024)
            {
                throw new ArchiveNotStreamableException("The zip64 end record has an unusual length.");
            }

            await EnsureOrTruncatedAsync(source, recordLength, cancellationToken).ConfigureAwait(false);
            zip64Entries = PeekInt64(source, 32);
            zip64DirectorySize = PeekInt64(source, 40);
            zip64DirectoryOffset = PeekInt64(source, 48);
            source.Advance(recordLength);
            await EnsureOrTruncatedAsync(source, Zip64LocatorLength, cancellationToken).ConfigureAwait(false);
            if (PeekUInt32(source, 0) != Zip64LocatorSignature)
            {
                throw new ArchiveNotStreamableException("The zip64 end record lacks its locator.");
            }

            source.Advance(Zip64LocatorLength);
            await EnsureOrTruncatedAsync(source, 4, cancellationToken).ConfigureAwait(false);
            signature = PeekUInt32(source, 0);
        }

        if (signature != EndOfDirectorySignature)
        {
            throw new ArchiveNotStreamableException(signature == CentralHeaderSignature
                ? "The central directory lists more entries than the zip holds."
                : "The central directory is not followed by its end record.");
        }

        await EnsureOrTruncatedAsync(source, EndOfDirectoryLength, cancellationToken).ConfigureAwait(false);
        var end = new byte[EndOfDirectoryLength];
        source.Peek(0, end);
        long count = BinaryPrimitives.ReadUInt16LittleEndian(end.AsSpan(10));
        long directorySize = BinaryPrimitives.ReadUInt32LittleEndian(end.AsSpan(12));
        long directoryOffset = BinaryPrimitives.ReadUInt32LittleEndian(end.AsSpan(16));
        var zipCommentLength = BinaryPrimitives.ReadUInt16LittleEndian(end.AsSpan(20));
        await EnsureOrTruncatedAsync(source, EndOfDirectoryLength + zipCommentLength, cancellationToken).ConfigureAwait(false);
        source.Advance(EndOfDirectoryLength + zipCommentLength);
        count = count == ushort.MaxValue && zip64Entries is { } entries64 ? entries64 : count;
        directorySize = directorySize == uint.MaxValue && zip64DirectorySize is { } size64 ? size64 : directorySize;
        directoryOffset = directoryOffset == uint.MaxValue && zip64DirectoryOffset is { } offset64 ? offset64 : directoryOffset;
        if (count != entries.Count || directoryOffset != directoryStart || directorySize != directoryEnd - directoryStart)
        {
            throw new ArchiveNotStreamableException("The end record does not describe the central directory that was read.");
        }

        if (await source.EnsureAsync(1, cancellationToken).ConfigureAwait(false))
        {
            throw new ArchiveNotStreamableException("The download goes on after the zip's end record.");
        }
    }

    /// <summary>Applies a zip64 extra field (0x0001) to the 32-bit fields that are saturated; false if it is missing.</summary>
    private static bool TryApplyZip64(ReadOnlySpan<byte> extra, ref long size, ref long compressedSize, long? offset)
    {
        var ignored = offset ?? 0;
        return TryApplyZip64(extra, ref size, ref compressedSize, ref ignored);
    }

    private static bool TryApplyZip64(ReadOnlySpan<byte> extra, ref long size, ref long compressedSize, ref long offset)
    {
        if (size != uint.MaxValue && compressedSize != uint.MaxValue && offset != uint.MaxValue)
        {
            return true;
        }

        while (extra.Length >= 4)
        {
            var id = BinaryPrimitives.ReadUInt16LittleEndian(extra);
            var length = BinaryPrimitives.ReadUInt16LittleEndian(extra[2..]);
            if (extra.Length < 4 + length)
            {
                return false;
            }

            var data = extra.Slice(4, length);
            extra = extra[(4 + length)..];
            if (id == Zip64ExtraId)
            {
                // The fields are present in this order, each only when its 32-bit field is saturated.
                return TryTake(ref data, ref size) && TryTake(ref data, ref compressedSize) && TryTake(ref data, ref offset);
            }
        }

        return false;
    }

    private static bool TryTake(ref ReadOnlySpan<byte> data, ref long field)
    {
        if (field != uint.MaxValue)
        {
            return true;
        }

        if (data.Length < 8)
        {
            return false;
        }

        field = BinaryPrimitives.ReadInt64LittleEndian(data);
        data = data[8..];
        return true;
    }

    /// <summary>
    /// Names are read as UTF-8 whether or not bit 11 says so, as .NET's zip reader does without an explicit encoding; the
    /// expected names are ASCII, so any other reading of a legacy code page could only turn a rejection into another.
    /// </summary>
    private static string DecodeName(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes);

    private static uint PeekUInt32(ZipByteSource source, long skip)
    {
        Span<byte> bytes = stackalloc byte[4];
        source.Peek(skip, bytes);
        return BinaryPrimitives.ReadUInt32LittleEndian(bytes);
    }

    private static long PeekInt64(ZipByteSource source, long skip)
    {
        Span<byte> bytes = stackalloc byte[8];
        source.Peek(skip, bytes);
        return BinaryPrimitives.ReadInt64LittleEndian(bytes);
    }

    private static async ValueTask EnsureOrTruncatedAsync(ZipByteSource source, long count, CancellationToken cancellationToken)
    {
        if (!await source.EnsureAsync(count, cancellationToken).ConfigureAwait(false))
        {
            throw Truncated();
        }
    }

    private static async ValueTask EnsureHeadOrTruncatedAsync(ZipByteSource source, CancellationToken cancellationToken)
    {
        if (!await source.EnsureHeadAsync(cancellationToken).ConfigureAwait(false))
        {
            throw Truncated();
        }
    }

    private static InvalidExportArchiveException Truncated() =>
        new(ExportArchiveProblem.Truncated, null, "The export zip is truncated: the download ended before the zip did.");

    /// <summary>What the whole zip has shown so far.</summary>
    private sealed class ArchiveState
    {
        public long Total;

        public HashSet<string> Seen { get; } = new(StringComparer.OrdinalIgnoreCase);

        public Dictionary<string, ExtractedEntry> Results { get; } = new(StringComparer.OrdinalIgnoreCase);

        public List<LocalEntry> Entries { get; } = [];
    }

    /// <summary>
    /// One entry on its way to storage: every byte goes through the digest once, within the size limits, then to the
    /// write-behind queue.
    /// </summary>
    private sealed class EntryWrite(SinglePassArchiveVerifier owner, string name, long? declaredSize, long totalBefore, WriteBehind writer) : IAsyncDisposable
    {
        public string Name { get; } = name;

        public EntryDigest Digest { get; } = new(name);

        public WriteBehind Writer { get; } = writer;

        [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
        public async ValueTask AppendAsync(SharedChunk block, int offset, int count, CancellationToken cancellationToken)
        {
            var size = Digest.Size + count;
            if (declaredSize is { } declared)
            {
                if (size > declared)
                {
                    throw new InvalidExportArchiveException(ExportArchiveProblem.CorruptData, Name, $"The export zip entry '{Name}' holds more data than the {declared:N0} bytes it declares.");
                }
            }
            else
            {
                owner._rules.CheckEntrySize(Name, size);
                owner._rules.CheckTotalSize(Name, totalBefore + size);
            }

            Digest.Append(block.Array.AsSpan(offset, count));
            await Writer.EnqueueAsync(block, offset, count, cancellationToken).ConfigureAwait(false);
        }

        public async ValueTask DisposeAsync()
        {
            Digest.Dispose();
            await Writer.DisposeAsync().ConfigureAwait(false);
        }
    }

    private readonly record struct LocalEntry(long HeaderOffset, string Name, ushort Flags, ushort Method, uint Crc, long CompressedSize, long Size);

    private readonly record struct EntryEnd(uint Crc, long CompressedSize, long Size);

    private readonly record struct Descriptor(uint Crc, int DescriptorLength);
}

/// <summary>
/// The export zip has a layout the single pass does not follow for certain (a preamble, an unusual compression method,
/// a directory that differs from the entries read); it must be verified from storage instead. Not a verdict on the zip.
/// </summary>
internal sealed class ArchiveNotStreamableException : Exception
{
    public ArchiveNotStreamableException()
    {
    }

    public ArchiveNotStreamableException(string message)
        : base(message)
    {
    }

    public ArchiveNotStreamableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
