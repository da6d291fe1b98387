using System.Buffers;

namespace RoleMining.Emulator.Faults;

/// <summary>A write-only, async-only pass-through stream (Kestrel forbids synchronous writes anyway).</summary>
internal abstract class AsyncWriteOnlyStream(Stream inner) : Stream
{
    protected Stream Inner { get; } = inner;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    // Synchronous flushes happen in framework disposal paths; there is nothing to flush synchronously here.
    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Inner.FlushAsync(cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("Synchronous writes are not supported.");

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public abstract override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default);
}

/// <summary>Holds back the last <c>missingBytes</c> bytes written and never sends them: the download ends normally
/// but lacks the end of the zip (its central directory).</summary>
internal sealed class TruncatingStream(Stream inner, int missingBytes) : AsyncWriteOnlyStream(inner)
{
    private readonly byte[] _held = new byte[missingBytes];
    private int _heldCount;

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var emit = _heldCount + buffer.Length - _held.Length;
        if (emit <= 0)
        {
            buffer.CopyTo(_held.AsMemory(_heldCount));
            _heldCount += buffer.Length;
            return;
        }

        var fromHeld = Math.Min(emit, _heldCount);
        if (fromHeld > 0)
        {
            await Inner.WriteAsync(_held.AsMemory(0, fromHeld), cancellationToken);
        }

        var fromBuffer = emit - fromHeld;
        if (fromBuffer > 0)
        {
            await Inner.WriteAsync(buffer[..fromBuffer], cancellationToken);
        }

        var remaining = _heldCount - fromHeld;
        Array.Copy(_held, fromHeld, _held, 0, remaining);
        buffer[fromBuffer..].CopyTo(_held.AsMemory(remaining));
        _heldCount = remaining + buffer.Length - fromBuffer;
    }
}

/// <summary>Flips one byte of the first entry's local header signature: the archive still lists its entries (the
/// central directory is intact), but reading the first entry fails, whatever the compression. (A flipped data byte
/// is not always caught: .NET does not check the CRC of stored entries.)</summary>
internal sealed class CorruptingZipStream(Stream inner) : AsyncWriteOnlyStream(inner)
{
    private const int CorruptedOffset = 3;
    private long _position;

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var start = _position;
        _position += buffer.Length;
        if (CorruptedOffset < start || CorruptedOffset >= _position)
        {
            await Inner.WriteAsync(buffer, cancellationToken);
            return;
        }

        var copy = ArrayPool<byte>.Shared.Rent(buffer.Length);
        try
        {
            buffer.CopyTo(copy);
            copy[CorruptedOffset - start] ^= 0xFF;
            await Inner.WriteAsync(copy.AsMemory(0, buffer.Length), cancellationToken);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(copy);
        }
    }
}
