using System.Text;

namespace RoleMining.Cli.Output;

/// <summary>
/// An output file that appears complete or not at all: written under a temporary name in the same directory and renamed
/// over the target on <see cref="CommitAsync"/>. Disposing without a commit (an error, Ctrl+C) deletes the temporary file.
/// </summary>
internal sealed class AtomicFile : IAsyncDisposable
{
    private readonly string _temporaryPath;
    private readonly StreamWriter _writer;
    private bool _committed;

    private AtomicFile(string path, string temporaryPath, StreamWriter writer)
    {
        Path = path;
        _temporaryPath = temporaryPath;
        _writer = writer;
    }

    /// <summary>The final path.</summary>
    public string Path { get; }

    /// <summary>Writes UTF-8 (no byte-order mark) to the temporary file.</summary>
    public TextWriter Writer => _writer;

    /// <summary>Creates the temporary file beside <paramref name="path"/>, with <paramref name="unixMode"/> on Unix when given.</summary>
    public static AtomicFile Create(string path, UnixFileMode? unixMode = null)
    {
        var directory = System.IO.Path.GetDirectoryName(path) ?? ".";
        var temporaryPath = System.IO.Path.Combine(directory, $".{System.IO.Path.GetFileName(path)}.{Guid.NewGuid():N}.partial");
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
            throw new IOException($"Cannot write '{path}': {exception.Message.Replace(temporaryPath, path, StringComparison.Ordinal)}", exception);
        }

        return new AtomicFile(path, temporaryPath, new StreamWriter(stream, new UTF8Encoding(false)));
    }

    /// <summary>Flushes to disk and moves the file to its final name (replacing an older file).</summary>
    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        await _writer.FlushAsync(cancellationToken);
        if (_writer.BaseStream is FileStream file)
        {
            file.Flush(flushToDisk: true);
        }

        await _writer.DisposeAsync();
        File.Move(_temporaryPath, Path, overwrite: true);
        _committed = true;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_committed)
        {
            return;
        }

        await _writer.DisposeAsync();
        File.Delete(_temporaryPath);
    }
}
