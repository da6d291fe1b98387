namespace RoleMining.Exports.Storage.FileSystem;

/// <summary>
/// A staging file's write stream that deletes the file when its write is given up (<see cref="IAbandonableWrite"/>), so
/// that a download cut off midway (Ctrl+C, a zip that fails verification) leaves no partial file behind, even when no
/// later attempt comes to clear the staging folder. A wrapper rather than a FileStream subclass: a derived FileStream
/// routes every write through the base Stream's array-copying fallbacks.
/// </summary>
internal sealed class StagingFileStream(FileStream file, Action<string> deleted) : Stream, IAbandonableWrite
{
    private bool _abandoned;
    private bool _closed;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => !_closed;

    public override long Length => file.Length;

    public override long Position
    {
        get => file.Position;
        set => throw new NotSupportedException();
    }

    /// <inheritdoc />
    public void Abandon() => _abandoned = !_closed;

    public override void Write(byte[] buffer, int offset, int count) => file.Write(buffer, offset, count);

    public override void Write(ReadOnlySpan<byte> buffer) => file.Write(buffer);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => file.WriteAsync(buffer, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => file.WriteAsync(buffer, offset, count, cancellationToken);

    public override void Flush() => file.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => file.FlushAsync(cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override async ValueTask DisposeAsync()
    {
        if (!_closed)
        {
            _closed = true;
            try
            {
                await file.DisposeAsync().ConfigureAwait(false);
            }
            finally
            {
                DeleteIfAbandoned();
            }
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_closed)
        {
            _closed = true;
            try
            {
                file.Dispose();
            }
            finally
            {
                DeleteIfAbandoned();
            }
        }

        base.Dispose(disposing);
    }

    private void DeleteIfAbandoned()
    {
        if (!_abandoned)
        {
            return;
        }

        try
        {
            File.Delete(file.Name);
            deleted(file.Name);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // Left for the next attempt's staging cleanup: closing a given-up write must not replace the failure that
            // gave it up.
        }
    }
}
