namespace RoleMining.Exports;

/// <summary>What is wrong with a downloaded export zip.</summary>
public enum ExportArchiveProblem
{
    /// <summary>The content is not a zip at all (e.g. an HTML error page).</summary>
    NotAZip = 0,

    /// <summary>The zip ends early: its central directory is missing or the body was shorter than announced.</summary>
    Truncated,

    /// <summary>An entry's data does not match its CRC-32 or its declared size, or cannot be decompressed.</summary>
    CorruptData,

    /// <summary>An entry name is absolute, has <c>..</c> segments, backslashes, a drive or control characters.</summary>
    UnsafeEntryName,

    /// <summary>The zip holds a directory entry.</summary>
    DirectoryEntry,

    /// <summary>The zip holds an entry that is not one of the expected CSV files (or is encrypted).</summary>
    UnexpectedEntry,

    /// <summary>The zip holds the same entry name twice.</summary>
    DuplicateEntry,

    /// <summary>An expected CSV file is missing.</summary>
    MissingEntry,

    /// <summary>An entry is larger (uncompressed) than allowed.</summary>
    EntryTooLarge,

    /// <summary>All entries together are larger (uncompressed) than allowed.</summary>
    TotalTooLarge,

    /// <summary>An entry compresses better than any real CSV does: a zip bomb.</summary>
    SuspiciousCompressionRatio,

    /// <summary>A CSV file cannot be parsed.</summary>
    InvalidCsv,
}

/// <summary>A downloaded export zip failed verification; nothing of it is published.</summary>
public sealed class InvalidExportArchiveException : Exception
{
    /// <summary>Creates the exception.</summary>
    public InvalidExportArchiveException()
        : this(ExportArchiveProblem.NotAZip, null, "The export zip is invalid.")
    {
    }

    /// <summary>Creates the exception.</summary>
    public InvalidExportArchiveException(string message)
        : this(ExportArchiveProblem.NotAZip, null, message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public InvalidExportArchiveException(string message, Exception? innerException)
        : this(ExportArchiveProblem.NotAZip, null, message, innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    public InvalidExportArchiveException(ExportArchiveProblem problem, string? entryName, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Problem = problem;
        EntryName = entryName;
    }

    /// <summary>What is wrong.</summary>
    public ExportArchiveProblem Problem { get; }

    /// <summary>The entry concerned, if one is.</summary>
    public string? EntryName { get; }

    /// <summary>
    /// Whether downloading again may help: a truncated, non-zip or corrupt body can come from a broken transfer, whereas
    /// unsafe, unexpected or oversized entries are what SailPoint produced.
    /// </summary>
    public bool IsTransient => Problem is ExportArchiveProblem.NotAZip or ExportArchiveProblem.Truncated or ExportArchiveProblem.CorruptData;
}
