using System.Buffers;
using System.Buffers.Binary;
using Azure.Storage.Blobs.Specialized;

namespace RoleMining.Functions.Storage;

/// <summary>
/// A write-only stream into a block blob that stages a block each time its buffer fills and commits the block list only
/// when it is closed, so the blob does not exist (or keeps its earlier content) until then. Written by hand because the
/// SDK's <c>OpenWriteAsync(overwrite: true)</c> commits an empty blob as soon as it opens, which would let a reader see
/// a file before its content.
/// </summary>
internal sealed class BlockBlobStagingStream : Stream
{
    private readonly BlockBlobClient _blob;
    private readonly List<string> _blockIds = [];
    private byte[]? _buffer;
    private int _filled;
    private long _length;

    public BlockBlobStagingStream(BlockBlobClient blob, int blockSize)
    {
        ArgumentNullException.ThrowIfNull(blob);
        ArgumentOutOfRangeException.ThrowIfLessThan(blockSize, 1);
        _blob = blob;
        _buffer = ArrayPool<byte>.Shared.Rent(blockSize);
        BlockSize = blockSize;
    }

    /// <summary>Bytes per staged block.</summary>
    public int BlockSize { get; }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => _buffer is not null;

    public override long Length => _length;

    public override long Position
    {
        get => _length;
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            var taken = Fill(buffer);
            buffer = buffer[taken..];
            if (_filled == BlockSize)
            {
                StageBuffered(CancellationToken.None).GetAwaiter().GetResult();
            }
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (!buffer.IsEmpty)
        {
            var taken = Fill(buffer.Span);
            buffer = buffer[taken..];
            if (_filled == BlockSize)
            {
                await StageBuffered(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    // Blocks are staged as they fill; only closing the stream commits them, so a flush has nothing to make visible.
    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override async ValueTask DisposeAsync()
    {
        if (_buffer is not null)
        {
            try
            {
                await StageBuffered(CancellationToken.None).ConfigureAwait(false);
                await _blob.CommitBlockListAsync(_blockIds).ConfigureAwait(false);
            }
            finally
            {
                ReturnBuffer();
            }
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && _buffer is not null)
        {
            try
            {
                StageBuffered(CancellationToken.None).GetAwaiter().GetResult();
                _blob.CommitBlockList(_blockIds);
            }
            finally
            {
                ReturnBuffer();
            }
        }

        base.Dispose(disposing);
    }

    private int Fill(ReadOnlySpan<byte> source)
    {
        var buffer = _buffer ?? throw new ObjectDisposedException(nameof(BlockBlobStagingStream));
        var taken = Math.Min(BlockSize - _filled, source.Length);
        source[..taken].CopyTo(buffer.AsSpan(_filled));
        _filled += taken;
        _length += taken;
        return taken;
    }

    private async Task StageBuffered(CancellationToken cancellationToken)
    {
        if (_filled == 0)
        {
            return;
        }

        // Block ids must have one length within a blob: the block's index as 8 bytes, base64-encoded.
        var id = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(id, _blockIds.Count);
        var blockId = Convert.ToBase64String(id);
        using (var content = new MemoryStream(_buffer!, 0, _filled, writable: false))
        {
            await _blob.StageBlockAsync(blockId, content, options: null, cancellationToken).ConfigureAwait(false);
        }

        _blockIds.Add(blockId);
        _filled = 0;
    }

    private void ReturnBuffer()
    {
        if (_buffer is { } buffer)
        {
            _buffer = null;
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
