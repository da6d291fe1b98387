using System.Buffers;
using System.Buffers.Binary;

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

/// <summary>Flips one byte a few bytes into the first zip entry's data, so that the entry fails its CRC check
/// (or does not inflate) while the archive's structure stays intact.</summary>
internal sealed class CorruptingZipStream(Stream inner) : AsyncWriteOnlyStream(inner)
{
    private const int LocalHeaderLength = 30;
    private readonly byte[] _header = new byte[LocalHeaderLength];
    private long _position;
    private long _target = -1;

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_position < LocalHeaderLength)
        {
            var count = (int)Math.Min(LocalHeaderLength - _position, buffer.Length);
            buffer.Span[..count].CopyTo(_header.AsSpan((int)_position));
            if (_position + count == LocalHeaderLength)
            {
                var nameLength = BinaryPrimitives.ReadUInt16LittleEndian(_header.AsSpan(26));
                var extraLength = BinaryPrimitives.ReadUInt16LittleEndian(_header.AsSpan(28));
                _target = LocalHeaderLength + nameLength + extraLength + 4;
            }
        }

        var start = _position;
        _position += buffer.Length;
        if (_target < start || _target >= _position)
        {
            await Inner.WriteAsync(buffer, cancellationToken);
            return;
        }

        var copy = ArrayPool<byte>.Shared.Rent(buffer.Length);
        try
        {
            buffer.CopyTo(copy);
            copy[_target - start] ^= 0xFF;
            await Inner.WriteAsync(copy.AsMemory(0, buffer.Length), cancellationToken);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(copy);
        }
    }
}
