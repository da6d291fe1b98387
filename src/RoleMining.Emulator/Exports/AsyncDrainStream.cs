using System.Buffers;

namespace RoleMining.Emulator.Exports;

/// <summary>
/// Sits between <see cref="System.IO.Compression.ZipArchive"/> and the response body. Some zip code paths still write
/// synchronously (a DeflateStream's final flush on close, the central directory), which Kestrel refuses; those
/// bytes are kept in a small buffer that the next asynchronous write (or <see cref="DrainAsync"/>) passes on. The
/// buffer stays bounded (the drain threshold plus one deflate flush), so the zip is still streamed, never held whole.
/// </summary>
internal sealed class AsyncDrainStream(Stream destination, int drainThreshold = 64 * 1024) : Stream
{
    private readonly ArrayBufferWriter<byte> _pending = new(drainThreshold * 2);
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

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _pending.Write(buffer);
        _position += buffer.Length;
    }

    public override void WriteByte(byte value) => Write([value]);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_pending.WrittenCount == 0 && buffer.Length >= drainThreshold)
        {
            _position += buffer.Length;
            await destination.WriteAsync(buffer, cancellationToken);
            return;
        }

        Write(buffer.Span);
        if (_pending.WrittenCount >= drainThreshold)
        {
            await DrainAsync(cancellationToken);
        }
    }

    /// <summary>Nothing can be written synchronously; <see cref="FlushAsync"/> and <see cref="DrainAsync"/> pass the bytes on.</summary>
    public override void Flush()
    {
    }

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        await DrainAsync(cancellationToken);
        await destination.FlushAsync(cancellationToken);
    }

    /// <summary>Writes the buffered bytes to the destination.</summary>
    public async ValueTask DrainAsync(CancellationToken cancellationToken)
    {
        if (_pending.WrittenCount > 0)
        {
            await destination.WriteAsync(_pending.WrittenMemory, cancellationToken);
            _pending.ResetWrittenCount();
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
