using System.Runtime.CompilerServices;

namespace RoleMining.Exports;

/// <summary>
/// A deflated entry's bytes as the inflater (<see cref="System.IO.Compression.DeflateStream"/>, which only reads from a
/// stream) asks for them, straight out of the download's blocks, up to the entry's compressed size when the header gives
/// it. Remembers where its last read started and ended: when the size is not given, the inflater has read a little past
/// the end of the deflate data, and the data descriptor is looked for there.
/// </summary>
internal sealed class ZipEntryInputStream(ZipByteSource source, long? length) : Stream
{
    private long? _remaining = length;

    /// <summary>The download ended before the entry did.</summary>
    public bool ReachedEnd { get; private set; }

    public long LastReadStart { get; private set; } = source.Position;

    public long LastReadEnd { get; private set; } = source.Position;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty || _remaining == 0)
        {
            return 0;
        }

        if (!await source.EnsureHeadAsync(cancellationToken).ConfigureAwait(false))
        {
            ReachedEnd = true;
            return 0;
        }

        var take = (int)Math.Min(Math.Min(source.Head.Length, buffer.Length), _remaining ?? long.MaxValue);
        LastReadStart = source.Position;
        source.Head[..take].CopyTo(buffer.Span);
        source.Advance(take);
        LastReadEnd = source.Position;
        _remaining -= take;
        return take;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    // The download is read asynchronously only; DeflateStream's asynchronous reads call ReadAsync.
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
