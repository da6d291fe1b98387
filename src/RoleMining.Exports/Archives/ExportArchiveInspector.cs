using System.Buffers;
using System.IO.Compression;
using System.Security.Cryptography;

namespace RoleMining.Exports;

/// <summary>An entry of a verified zip, as unpacked.</summary>
/// <param name="Name">The expected name it matched.</param>
/// <param name="Size">Uncompressed size in bytes.</param>
/// <param name="Sha256">SHA-256 of the uncompressed content, lowercase hex.</param>
public sealed record ExtractedEntry(string Name, long Size, string Sha256);

/// <summary>
/// Verifies an export zip before anything of it is used: its central directory first (names, directories, unexpected or
/// duplicate entries, declared sizes and compression ratios), then every entry's data while it is unpacked (actual size
/// against the declared size and the limits, CRC-32, decompression errors). It never trusts a declared size: reading stops
/// at the limit.
/// </summary>
public sealed class ExportArchiveInspector
{
    private static ReadOnlySpan<byte> LocalFileHeaderSignature => [0x50, 0x4B, 0x03, 0x04];

    private static ReadOnlySpan<byte> EmptyArchiveSignature => [0x50, 0x4B, 0x05, 0x06];

    private readonly ExportArchiveOptions _options;

    /// <summary>Creates an inspector with the given limits and expected entries.</summary>
    public ExportArchiveInspector(ExportArchiveOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
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
        var expected = _options.EffectiveExpectedEntries;
        var found = new Dictionary<string, ZipArchiveEntry>(StringComparer.OrdinalIgnoreCase);
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
            var name = entry.FullName;
            if (!IsSafeName(name))
            {
                throw new InvalidExportArchiveException(ExportArchiveProblem.UnsafeEntryName, name, $"The export zip holds an entry with an unsafe name '{Printable(name)}' (absolute, '..', backslash, drive or control characters).");
            }

            if (name.EndsWith('/'))
            {
                throw new InvalidExportArchiveException(ExportArchiveProblem.DirectoryEntry, name, $"The export zip holds a directory '{name}'; only the files {string.Join(", ", expected)} are expected.");
            }

            var expectedName = expected.FirstOrDefault(candidate => string.Equals(candidate, name, StringComparison.OrdinalIgnoreCase));
            if (expectedName is null)
            {
                throw new InvalidExportArchiveException(ExportArchiveProblem.UnexpectedEntry, name, $"The export zip holds an unexpected file '{name}'; only {string.Join(", ", expected)} are expected (see Exports:Archive:ExpectedEntries).");
            }

            if (entry.IsEncrypted)
            {
                throw new InvalidExportArchiveException(ExportArchiveProblem.UnexpectedEntry, name, $"The export zip entry '{name}' is encrypted.");
            }

            if (!found.TryAdd(expectedName, entry))
            {
                throw new InvalidExportArchiveException(ExportArchiveProblem.DuplicateEntry, name, $"The export zip holds '{name}' twice.");
            }

            if (entry.Length > _options.MaxEntryBytes)
            {
                throw new InvalidExportArchiveException(ExportArchiveProblem.EntryTooLarge, name, $"The export zip entry '{name}' unpacks to {entry.Length:N0} bytes, more than the limit of {_options.MaxEntryBytes:N0} (Exports:Archive:MaxEntryBytes).");
            }

            total += entry.Length;
            if (total > _options.MaxTotalBytes)
            {
                throw new InvalidExportArchiveException(ExportArchiveProblem.TotalTooLarge, name, $"The export zip unpacks to more than the limit of {_options.MaxTotalBytes:N0} bytes (Exports:Archive:MaxTotalBytes).");
            }

            if (entry.Length >= _options.CompressionRatioThresholdBytes && entry.Length > 0)
            {
                var ratio = entry.CompressedLength == 0 ? double.PositiveInfinity : (double)entry.Length / entry.CompressedLength;
                if (ratio > _options.MaxCompressionRatio)
                {
                    throw new InvalidExportArchiveException(ExportArchiveProblem.SuspiciousCompressionRatio, name, $"The export zip entry '{name}' expands {ratio:N0} times ({entry.CompressedLength:N0} to {entry.Length:N0} bytes), more than the limit of {_options.MaxCompressionRatio:N0} (Exports:Archive:MaxCompressionRatio): a zip bomb?");
                }
            }
        }

        var missing = expected.Where(name => !found.ContainsKey(name)).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidExportArchiveException(ExportArchiveProblem.MissingEntry, missing[0], $"The export zip lacks {string.Join(", ", missing)}.");
        }

        return expected.Select(name => (name, found[name])).ToList();
    }

    private async Task<ExtractedEntry> ExtractEntryAsync(
        string expectedName,
        ZipArchiveEntry entry,
        Func<string, CancellationToken, Task<Stream>>? openDestination,
        CancellationToken cancellationToken)
    {
        var limit = Math.Min(entry.Length, _options.MaxEntryBytes);
        var crc = new Crc32();
        using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long size = 0;
        var buffer = ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            var destination = openDestination is null ? Stream.Null : await openDestination(expectedName, cancellationToken).ConfigureAwait(false);
            await using (destination.ConfigureAwait(false))
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

                        size += read;
                        if (size > limit)
                        {
                            throw new InvalidExportArchiveException(ExportArchiveProblem.CorruptData, expectedName, $"The export zip entry '{expectedName}' holds more data than the {entry.Length:N0} bytes it declares.");
                        }

                        crc.Append(buffer.AsSpan(0, read));
                        sha256.AppendData(buffer, 0, read);
                        await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                    }
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        if (size != entry.Length)
        {
            throw new InvalidExportArchiveException(ExportArchiveProblem.CorruptData, expectedName, $"The export zip entry '{expectedName}' holds {size:N0} bytes but declares {entry.Length:N0}.");
        }

        if (crc.Value != entry.Crc32)
        {
            throw new InvalidExportArchiveException(ExportArchiveProblem.CorruptData, expectedName, $"The export zip entry '{expectedName}' fails its CRC-32 check (corrupt data).");
        }

        return new ExtractedEntry(expectedName, size, Convert.ToHexStringLower(sha256.GetHashAndReset()));
    }

    private static async Task<bool> StartsLikeZipAsync(Stream zip, CancellationToken cancellationToken)
    {
        var start = zip.Position;
        var header = new byte[4];
        var read = await zip.ReadAtLeastAsync(header, header.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        zip.Position = start;
        return read == header.Length && (header.AsSpan().SequenceEqual(LocalFileHeaderSignature) || header.AsSpan().SequenceEqual(EmptyArchiveSignature));
    }

    private static bool IsSafeName(string name)
    {
        if (name.Length == 0 || name[0] is '/' or '\\' || name.Contains('\\', StringComparison.Ordinal) || name.Contains(':', StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var character in name)
        {
            if (char.IsControl(character))
            {
                return false;
            }
        }

        foreach (var segment in name.TrimEnd('/').Split('/'))
        {
            if (segment.Length == 0 || segment is "." or "..")
            {
                return false;
            }
        }

        return true;
    }

    private static string Printable(string name) =>
        new(name.Select(character => char.IsControl(character) ? '?' : character).Take(200).ToArray());
}
