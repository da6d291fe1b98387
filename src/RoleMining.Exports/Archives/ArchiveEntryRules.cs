namespace RoleMining.Exports;

/// <summary>
/// What an export zip's entries must be, shared by the single-pass verifier (<see cref="SinglePassArchiveVerifier"/>)
/// and the seekable one (<see cref="ExportArchiveInspector"/>) so that both accept and reject the same zips: safe names,
/// only the expected files, each once and unencrypted, within the size limits and the compression ratio of real CSV.
/// </summary>
internal sealed class ArchiveEntryRules
{
    private readonly ExportArchiveOptions _options;

    public ArchiveEntryRules(ExportArchiveOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        Expected = options.EffectiveExpectedEntries;
    }

    /// <summary>The expected entry names, in the order their results are returned.</summary>
    public IReadOnlyList<string> Expected { get; }

    /// <summary>The most an entry may unpack to.</summary>
    public long MaxEntryBytes => _options.MaxEntryBytes;

    /// <summary>The full key of an archive setting as the host reads it (e.g. <c>Exports:Archive:ExpectedEntries</c>).</summary>
    public string Setting(string key) => _options.Setting(key);

    /// <summary>The most all entries together may unpack to.</summary>
    public long MaxTotalBytes => _options.MaxTotalBytes;

    /// <summary>
    /// Checks an entry's name and flags; returns the expected name it stands for (the configured spelling) after adding
    /// it to <paramref name="seen"/>.
    /// </summary>
    public string Admit(string name, bool isEncrypted, ISet<string> seen)
    {
        if (!IsSafeName(name))
        {
            throw new InvalidExportArchiveException(ExportArchiveProblem.UnsafeEntryName, name, $"The export zip holds an entry with an unsafe name '{Printable(name)}' (absolute, '..', backslash, drive or control characters).");
        }

        if (name.EndsWith('/'))
        {
            throw new InvalidExportArchiveException(ExportArchiveProblem.DirectoryEntry, name, $"The export zip holds a directory '{name}'; only the files {string.Join(", ", Expected)} are expected.");
        }

        var expectedName = Expected.FirstOrDefault(candidate => string.Equals(candidate, name, StringComparison.OrdinalIgnoreCase))
            ?? throw new InvalidExportArchiveException(ExportArchiveProblem.UnexpectedEntry, name, $"The export zip holds an unexpected file '{name}'; only {string.Join(", ", Expected)} are expected (see {Setting("ExpectedEntries")}).");

        if (isEncrypted)
        {
            throw new InvalidExportArchiveException(ExportArchiveProblem.UnexpectedEntry, name, $"The export zip entry '{name}' is encrypted.");
        }

        if (!seen.Add(expectedName))
        {
            throw new InvalidExportArchiveException(ExportArchiveProblem.DuplicateEntry, name, $"The export zip holds '{name}' twice.");
        }

        return expectedName;
    }

    /// <summary>Checks an entry's sizes (declared, or actual once known) against the limits; adds it to <paramref name="total"/>.</summary>
    public void CheckSizes(string name, long length, long compressedLength, ref long total)
    {
        CheckEntrySize(name, length);
        total += length;
        CheckTotalSize(name, total);
        CheckRatio(name, length, compressedLength);
    }

    public void CheckEntrySize(string name, long length)
    {
        if (length > _options.MaxEntryBytes)
        {
            throw new InvalidExportArchiveException(ExportArchiveProblem.EntryTooLarge, name, $"The export zip entry '{name}' unpacks to {length:N0} bytes, more than the limit of {_options.MaxEntryBytes:N0} ({Setting("MaxEntryBytes")}).");
        }
    }

    public void CheckTotalSize(string name, long total)
    {
        if (total > _options.MaxTotalBytes)
        {
            throw new InvalidExportArchiveException(ExportArchiveProblem.TotalTooLarge, name, $"The export zip unpacks to more than the limit of {_options.MaxTotalBytes:N0} bytes ({Setting("MaxTotalBytes")}).");
        }
    }

    /// <summary>
    /// Rejects an entry that expands more than real CSV does. Also used while inflating an entry whose sizes come only
    /// after its data: <paramref name="length"/> bytes out of <paramref name="compressedLength"/> so far.
    /// </summary>
    public void CheckRatio(string name, long length, long compressedLength)
    {
        if (length >= _options.CompressionRatioThresholdBytes && length > 0)
        {
            var ratio = compressedLength == 0 ? double.PositiveInfinity : (double)length / compressedLength;
            if (ratio > _options.MaxCompressionRatio)
            {
                throw new InvalidExportArchiveException(ExportArchiveProblem.SuspiciousCompressionRatio, name, $"The export zip entry '{name}' expands {ratio:N0} times ({compressedLength:N0} to {length:N0} bytes), more than the limit of {_options.MaxCompressionRatio:N0} ({Setting("MaxCompressionRatio")}): a zip bomb?");
            }
        }
    }

    /// <summary>Throws when an expected entry was not seen.</summary>
    public void ThrowIfMissing(ICollection<string> seen)
    {
        var missing = Expected.Where(name => !seen.Contains(name)).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidExportArchiveException(ExportArchiveProblem.MissingEntry, missing[0], $"The export zip lacks {string.Join(", ", missing)}.");
        }
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
