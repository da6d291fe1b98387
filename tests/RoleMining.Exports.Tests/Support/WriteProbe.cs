namespace RoleMining.Exports.Tests.Support;

/// <summary>
/// A staging stream that passes writes to another stream and records how its write ended: completed (closed without
/// being given up) or abandoned (<see cref="IAbandonableWrite.Abandon"/> before the close, passed on to the store's
/// stream). Its writes throw <c>failWrites</c> when one is given.
/// </summary>
internal sealed class WriteProbe(string path, Stream inner, Exception? failWrites = null, Action<WriteProbe>? completed = null) : Stream, IAbandonableWrite
{
    public string Path { get; } = path;

    public bool Abandoned { get; private set; }

    public bool Closed { get; private set; }

    /// <summary>Closed without being given up: a store would have completed (committed) the write.</summary>
    public bool Completed => Closed && !Abandoned;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => !Closed;

    public override long Length => inner.Length;

    public override long Position { get => inner.Position; set => throw new NotSupportedException(); }

    public void Abandon()
    {
        Assert.False(Closed, $"'{Path}' was given up after it was closed.");
        Abandoned = true;
        (inner as IAbandonableWrite)?.Abandon();
    }

    public override void Write(byte[] buffer, int offset, int count)
    {
        ThrowIfFailing();
        inner.Write(buffer, offset, count);
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ThrowIfFailing();
        return inner.WriteAsync(buffer, cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        ThrowIfFailing();
        return inner.WriteAsync(buffer, offset, count, cancellationToken);
    }

    public override void Flush() => inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    private void ThrowIfFailing()
    {
        if (failWrites is not null)
        {
            throw failWrites;
        }
    }

    public override async ValueTask DisposeAsync()
    {
        var wasClosed = Closed;
        Closed = true;
        await inner.DisposeAsync();
        await base.DisposeAsync();
        if (!wasClosed && !Abandoned)
        {
            completed?.Invoke(this);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Closed = true;
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
