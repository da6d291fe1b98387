using System.Text;

namespace RoleMining.Cli.Output;

/// <summary>
/// An output file that appears complete or not at all: written under a temporary name in the same directory and renamed
/// over the target on <see cref="CommitAsync"/>. Disposing without a commit (an error, Ctrl+C) deletes the temporary file.
/// A target that is not a regular file (a device such as /dev/null, /dev/stdout, a named pipe) is written directly:
/// renaming over it would replace it with a file. A symbolic link is followed: its target is replaced, not the link.
/// </summary>
internal sealed class AtomicFile : IAsyncDisposable
{
    private readonly string? _temporaryPath; // Null when writing directly into a device or pipe.
    private readonly StreamWriter _writer;
    private bool _committed;

    private AtomicFile(string path, string? temporaryPath, StreamWriter writer)
    {
        Path = path;
        _temporaryPath = temporaryPath;
        _writer = writer;
    }

    /// <summary>The final path.</summary>
    public string Path { get; }

    /// <summary>Writes UTF-8 (no byte-order mark) to the temporary file.</summary>
    public TextWriter Writer => _writer;

    private const string TemporarySuffix = ".partial";

    /// <summary>How long a temporary file must have gone unwritten before a later writer of the same file removes it.</summary>
    internal static readonly TimeSpan AbandonedAfter = TimeSpan.FromMinutes(10);

    /// <summary>Creates the temporary file beside <paramref name="path"/>, with <paramref name="unixMode"/> on Unix when given.</summary>
    public static AtomicFile Create(string path, UnixFileMode? unixMode = null)
    {
        if (OpenIfNotARegularFile(path) is { } direct)
        {
            return new AtomicFile(path, null, new StreamWriter(direct, new UTF8Encoding(false)));
        }

        var requested = path;
        if (new FileInfo(path).LinkTarget is not null && File.ResolveLinkTarget(path, returnFinalTarget: true) is { } target)
        {
            path = target.FullName;
        }

        var directory = System.IO.Path.GetDirectoryName(path) ?? ".";
        RemoveAbandoned(directory, System.IO.Path.GetFileName(path));
        var temporaryPath = System.IO.Path.Combine(directory, $"{TemporaryPrefix(System.IO.Path.GetFileName(path))}{Guid.NewGuid():N}{TemporarySuffix}");
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
            BufferSize = 64 * 1024,
            Options = FileOptions.Asynchronous,
        };
        if (unixMode is { } mode && !OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = mode;
        }

        FileStream stream;
        try
        {
            stream = new FileStream(temporaryPath, options);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // Named by the file asked for: the temporary name is this class's business, not the user's.
            throw new IOException($"Cannot write '{requested}': {exception.Message.Replace(temporaryPath, requested, StringComparison.Ordinal)}", exception);
        }

        return new AtomicFile(path, temporaryPath, new StreamWriter(stream, new UTF8Encoding(false)));
    }

    /// <summary>
    /// The target opened for writing when it is not a regular file: anything under /dev or /proc (/dev/null, /dev/stdout,
    /// /dev/fd/63 of a shell's process substitution), or an existing file that cannot seek (a named pipe). Null for a
    /// regular or missing file, or one this cannot open (the rename then decides). By path because .NET does not say a
    /// file's type, and a character device such as /dev/null can seek.
    /// </summary>
    private static FileStream? OpenIfNotARegularFile(string path)
    {
        var fullPath = System.IO.Path.GetFullPath(path);
        var device = !OperatingSystem.IsWindows()
            && (fullPath.StartsWith("/dev/", StringComparison.Ordinal) || fullPath.StartsWith("/proc/", StringComparison.Ordinal));
        if (!File.Exists(fullPath))
        {
            return null;
        }

        try
        {
            var stream = new FileStream(fullPath, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 64 * 1024);
            if (device || !stream.CanSeek)
            {
                return stream;
            }

            stream.Dispose();
        }
        catch (Exception exception) when (device && exception is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"Cannot write '{path}': {exception.Message}", exception);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // The rename decides.
        }

        return null;
    }

    /// <summary>
    /// Removes the temporary files of writers of <paramref name="fileName"/> that were killed before they could (SIGKILL, a
    /// crash, a lost machine): each holds data the user asked to be written only whole, under a name no later run reuses.
    /// A live writer's file is left alone twice over: it is locked (FileShare.None is an exclusive lock on Unix as well)
    /// and recently written; the age also covers the moment between its close and its rename.
    /// </summary>
    private static void RemoveAbandoned(string directory, string fileName)
    {
        var prefix = TemporaryPrefix(fileName);
        IEnumerable<string> candidates;
        try
        {
            candidates = Directory.EnumerateFiles(directory, "*" + TemporarySuffix)
                .Where(candidate => System.IO.Path.GetFileName(candidate) is { } name && name.StartsWith(prefix, StringComparison.Ordinal)
                    && name.Length == prefix.Length + 32 + TemporarySuffix.Length && Guid.TryParseExact(name.AsSpan(prefix.Length, 32), "N", out _))
                .ToList();
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return;
        }

        foreach (var candidate in candidates)
        {
            try
            {
                if (DateTime.UtcNow - File.GetLastWriteTimeUtc(candidate) < AbandonedAfter)
                {
                    continue;
                }

                using (new FileStream(candidate, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
                {
                    // Opened exclusively: no writer holds it.
                }

                File.Delete(candidate);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                // Held by a live writer, or not ours to remove: left as it is.
            }
        }
    }

    /// <summary>
    /// The start of every temporary name of <paramref name="fileName"/>: hidden, then a random id and the suffix. A name
    /// the file system would take but whose temporary name it would not (most allow 255 bytes, and the temporary name adds
    /// 42) is cut in the prefix, the same way every time, so that leftovers are still found by it.
    /// </summary>
    internal static string TemporaryPrefix(string fileName)
    {
        const int MaxNameBytes = 255;
        var room = MaxNameBytes - ".".Length - ".".Length - 32 - TemporarySuffix.Length;
        var kept = fileName.Length;
        while (Encoding.UTF8.GetByteCount(fileName.AsSpan(0, kept)) > room)
        {
            kept--;
            if (kept > 0 && char.IsHighSurrogate(fileName[kept - 1]))
            {
                // Never half a character: a lone surrogate has no UTF-8 form.
                kept--;
            }
        }

        return $".{fileName[..kept]}.";
    }

    /// <summary>Flushes to disk and moves the file to its final name (replacing an older file).</summary>
    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _writer.FlushAsync(cancellationToken);
            if (_temporaryPath is not null && _writer.BaseStream is FileStream file)
            {
                file.Flush(flushToDisk: true);
            }

            await _writer.DisposeAsync();
            if (_temporaryPath is not null)
            {
                File.Move(_temporaryPath, Path, overwrite: true);
            }
        }
        catch (IOException exception) when (_temporaryPath is not null)
        {
            // A full disk, say: named by the file asked for (the temporary one is removed on dispose).
            throw new IOException($"Cannot write '{Path}': {exception.Message.Replace(_temporaryPath, Path, StringComparison.Ordinal)}", exception);
        }

        _committed = true;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_committed)
        {
            return;
        }

        try
        {
            // Flushes what is buffered, which fails again on a full disk; the stream is closed all the same.
            await _writer.DisposeAsync();
        }
        catch (IOException) when (_temporaryPath is not null)
        {
        }
        finally
        {
            if (_temporaryPath is not null)
            {
                File.Delete(_temporaryPath);
            }
        }
    }
}
