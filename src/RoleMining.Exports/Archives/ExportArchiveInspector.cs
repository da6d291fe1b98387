using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;

namespace RoleMining.Exports;

/// <summary>
/// Verifies an export zip before anything of it is used: its central directory first (names, directories, unexpected or
/// duplicate entries, declared sizes and compression ratios), then every entry's data while it is unpacked (actual size
/// against the declared size and the limits, CRC-32, decompression errors). It never trusts a declared size: reading stops
/// at the limit. This is the second-pass path: it reads a stored zip that the single pass
/// (<see cref="SinglePassArchiveVerifier"/>) could not follow as a stream (an unusual layout); both apply the same
/// <see cref="ArchiveEntryRules"/>.
/// </summary>
public sealed class ExportArchiveInspector
{
    private static ReadOnlySpan<byte> LocalFileHeaderSignature => [0x50, 0x4B, 0x03, 0x04];

    private static ReadOnlySpan<byte> EmptyArchiveSignature => [0x50, 0x4B, 0x05, 0x06];

    /// <summary>The end of central directory record's signature (an empty archive is only that record).</summary>
    private static ReadOnlySpan<byte> EndOfDirectorySignature => EmptyArchiveSignature;

    private readonly ArchiveEntryRules _rules;

    /// <summary>Creates an inspector with the given limits and expected entries.</summary>
    public ExportArchiveInspector(ExportArchiveOptions options)
    {
        _rules = new ArchiveEntryRules(options);
    }

    /// <summary>
    /// Verifies <paramref name="zip"/> (seekable) and unpacks each expected entry into the stream
    /// <paramref name="openDestination"/> returns for its name (disposed afterwards), or only reads it when that is null.
    /// Returns the entries in the order of the expected names.
    /// </summary>
    /// <exception cref="InvalidExportArchiveException">The zip failed a check; the destinations may hold partial data.</exception>
    public async Task<IReadOnlyList<ExtractedEntry>> VerifyAndExtractAsync(
        Stream zip,
        Func<string, CancellationToken, Task<Stream>>? openDestination,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(zip);
        if (!zip.CanSeek)
        {
            throw new ArgumentException("The zip stream must be seekable (ZipArchive would otherwise copy it into memory).", nameof(zip));
        }

        var looksLikeZip = await StartsLikeZipAsync(zip, cancellationToken).ConfigureAwait(false);
        await ThrowIfTooManyEntriesAsync(zip, cancellationToken).ConfigureAwait(false);
        ZipArchive archive;
        try
        {
            archive = await ZipArchive.CreateAsync(zip, ZipArchiveMode.Read, leaveOpen: true, entryNameEncoding: null, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidDataException exception)
        {
            throw looksLikeZip
                ? new InvalidExportArchiveException(ExportArchiveProblem.Truncated, null, $"The export zip is truncated or damaged: {exception.Message}", exception)
                : new InvalidExportArchiveException(ExportArchiveProblem.NotAZip, null, "The downloaded export is not a zip file.", exception);
        }

        await using (archive.ConfigureAwait(false))
        {
            var plan = CheckDirectory(archive);
            var extracted = new List<ExtractedEntry>(plan.Count);
            foreach (var (expectedName, entry) in plan)
            {
                extracted.Add(await ExtractEntryAsync(expectedName, entry, openDestination, cancellationToken).ConfigureAwait(false));
            }

            return extracted;
        }
    }

    /// <summary>Checks every entry of the central directory; returns the expected entries in the configured order.</summary>
    private List<(string ExpectedName, ZipArchiveEntry Entry)> CheckDirectory(ZipArchive archive)
    {
        var found = new Dictionary<string, ZipArchiveEntry>(StringComparer.OrdinalIgnoreCase);
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        long total = 0;
        IReadOnlyCollection<ZipArchiveEntry> entries;
        try
        {
            entries = archive.Entries;
        }
        catch (InvalidDataException exception)
        {
            throw new InvalidExportArchiveException(ExportArchiveProblem.Truncated, null, $"The export zip's central directory is damaged: {exception.Message}", exception);
        }

        foreach (var entry in entries)
        {
            var expectedName = _rules.Admit(entry.FullName, entry.IsEncrypted, seen);
            found[expectedName] = entry;
            _rules.CheckSizes(entry.FullName, entry.Length, entry.CompressedLength, ref total);
        }

        _rules.ThrowIfMissing(seen);
        return _rules.Expected.Select(name => (name, found[name])).ToList();
    }

    private async Task<ExtractedEntry> ExtractEntryAsync(
        string expectedName,
        ZipArchiveEntry entry,
        Func<string, CancellationToken, Task<Stream>>? openDestination,
        CancellationToken cancellationToken)
    {
        using var digest = new EntryDigest(expectedName);
        var destination = openDestination is null ? Stream.Null : await openDestination(expectedName, cancellationToken).ConfigureAwait(false);

        // An entry that fails its checks is given up rather than completed.
        await StagingWrites.WriteAndCloseAsync(destination, target => CopyAndCheckAsync(expectedName, entry, target, digest, cancellationToken)).ConfigureAwait(false);
        return digest.Complete();
    }

    /// <summary>Unpacks the entry into the digest and the destination, then checks its size and CRC-32.</summary>
    private async Task CopyAndCheckAsync(string expectedName, ZipArchiveEntry entry, Stream destination, EntryDigest digest, CancellationToken cancellationToken)
    {
        var limit = Math.Min(entry.Length, _rules.MaxEntryBytes);
        var buffer = ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            Stream source;
            try
            {
                source = await entry.OpenAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidDataException exception)
            {
                throw new InvalidExportArchiveException(ExportArchiveProblem.CorruptData, expectedName, $"The export zip entry '{expectedName}' cannot be read: {exception.Message}", exception);
            }

            await using (source.ConfigureAwait(false))
            {
                while (true)
                {
                    int read;
                    try
                    {
                        read = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
                    }
                    catch (InvalidDataException exception)
                    {
                        throw new InvalidExportArchiveException(ExportArchiveProblem.CorruptData, expectedName, $"The export zip entry '{expectedName}' cannot be decompressed: {exception.Message}", exception);
                    }

                    if (read == 0)
                    {
                        break;
                    }

                    if (digest.Size + read > limit)
                    {
                        throw new InvalidExportArchiveException(ExportArchiveProblem.CorruptData, expectedName, $"The export zip entry '{expectedName}' holds more data than the {entry.Length:N0} bytes it declares.");
                    }

                    digest.Append(buffer.AsSpan(0, read));
                    await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        if (digest.Size != entry.Length)
        {
            throw new InvalidExportArchiveException(ExportArchiveProblem.CorruptData, expectedName, $"The export zip entry '{expectedName}' holds {digest.Size:N0} bytes but declares {entry.Length:N0}.");
        }

        if (digest.Crc32 != entry.Crc32)
        {
            throw new InvalidExportArchiveException(ExportArchiveProblem.CorruptData, expectedName, $"The export zip entry '{expectedName}' fails its CRC-32 check (corrupt data).");
        }
    }

    /// <summary>
    /// Refuses a zip whose end record counts far more entries, or a far larger central directory, than an export has,
    /// before ZipArchive reads that directory: it holds every entry of it in memory, and a hostile zip of a few GB can hold
    /// a hundred million. (A few unexpected entries are left to the rules, which name the first one.) Read by hand,
    /// because ZipArchive does not expose the count before reading the directory; the end record is the last one in the
    /// file, as ZipArchive takes it. A zip without one is left to ZipArchive, which reports it as damaged.
    /// </summary>
    private async Task ThrowIfTooManyEntriesAsync(Stream zip, CancellationToken cancellationToken)
    {
        const uint Zip64LocatorSignature = 0x07064b50;
        const uint Zip64EndSignature = 0x06064b50;
        const int EndLength = 22;
        const int Zip64LocatorLength = 20;
        const int Zip64EndLength = 56;

        // An export has two or three entries, whose directory takes a few hundred bytes.
        const ulong MaxEntries = 1_000;
        const ulong MaxDirectoryBytes = 1024 * 1024;

        var start = zip.Position;
        try
        {
            var tailLength = (int)Math.Min(zip.Length, EndLength + ushort.MaxValue + Zip64LocatorLength);
            var tail = new byte[tailLength];
            zip.Position = zip.Length - tailLength;
            await zip.ReadExactlyAsync(tail, cancellationToken).ConfigureAwait(false);
            var end = tail.AsSpan().LastIndexOf(EndOfDirectorySignature);
            if (end < 0 || end + EndLength > tailLength)
            {
                return;
            }

            ulong count = BinaryPrimitives.ReadUInt16LittleEndian(tail.AsSpan(end + 10));
            ulong size = BinaryPrimitives.ReadUInt32LittleEndian(tail.AsSpan(end + 12));

            // A zip64 record, wherever its locator stands before the end record: ZipArchive also follows it when only the
            // directory's offset (or disk) is saturated, and then takes its count and size. The larger of the two counts.
            if (end >= Zip64LocatorLength && zip.Length >= Zip64EndLength
                && BinaryPrimitives.ReadUInt32LittleEndian(tail.AsSpan(end - Zip64LocatorLength)) == Zip64LocatorSignature)
            {
                var zip64End = BinaryPrimitives.ReadUInt64LittleEndian(tail.AsSpan(end - Zip64LocatorLength + 8));
                if (zip64End <= (ulong)(zip.Length - Zip64EndLength))
                {
                    var record = new byte[Zip64EndLength];
                    zip.Position = (long)zip64End;
                    await zip.ReadExactlyAsync(record, cancellationToken).ConfigureAwait(false);
                    if (BinaryPrimitives.ReadUInt32LittleEndian(record) == Zip64EndSignature)
                    {
                        count = Math.Max(count, BinaryPrimitives.ReadUInt64LittleEndian(record.AsSpan(32)));
                        size = Math.Max(size, BinaryPrimitives.ReadUInt64LittleEndian(record.AsSpan(40)));
                    }
                }
            }

            if (count > MaxEntries || size > MaxDirectoryBytes)
            {
                throw new InvalidExportArchiveException(ExportArchiveProblem.UnexpectedEntry, null,
                    $"The export zip's directory holds {count:N0} entries in {size:N0} bytes; only {string.Join(", ", _rules.Expected)} are expected (see {_rules.Setting("ExpectedEntries")}).");
            }
        }
        finally
        {
            zip.Position = start;
        }
    }

    private static async Task<bool> StartsLikeZipAsync(Stream zip, CancellationToken cancellationToken)
    {
        var start = zip.Position;
        var header = new byte[4];
        var read = await zip.ReadAtLeastAsync(header, header.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        zip.Position = start;
        return read == header.Length && (header.AsSpan().SequenceEqual(LocalFileHeaderSignature) || header.AsSpan().SequenceEqual(EmptyArchiveSignature));
    }
}
