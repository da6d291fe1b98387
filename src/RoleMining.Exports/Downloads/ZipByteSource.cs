using System.Runtime.CompilerServices;

namespace RoleMining.Exports;

/// <summary>
/// The download as the single-pass verifier reads it: blocks pulled from the network on demand, each handed first to
/// <c>onBlock</c> (which queues it for the staged zip and its SHA-256) and then parsed in place. Parsing never copies a
/// block except the few bytes of a header that straddles two blocks. The block the parser is in stays held after it was
/// read to its end, so that the parser can step back within it (an inflater reads a little past the end of its data).
/// The per-block async methods pool their state (PoolingAsyncValueTaskMethodBuilder): a download awaits the network and
/// the write queues thousands of times, and a new state box each time was what made the heap grow with the download.
/// </summary>
internal sealed class ZipByteSource : IDisposable
{
    private readonly Stream _network;
    private readonly long _limit;
    private readonly Func<SharedChunk, CancellationToken, ValueTask> _onBlock;
    private readonly int _blockSize;
    private readonly Queue<SharedChunk> _blocks = new();
    private int _offset;
    private long _buffered;
    private bool _ended;

    /// <param name="network">The download body.</param>
    /// <param name="limit">The most bytes the download may have.</param>
    /// <param name="onBlock">Sees each block as it arrives, before it is parsed.</param>
    /// <param name="blockSize">Bytes per block, at most <see cref="SharedChunk.Size"/> (smaller only to test block edges).</param>
    public ZipByteSource(Stream network, long limit, Func<SharedChunk, CancellationToken, ValueTask> onBlock, int blockSize = SharedChunk.Size)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(blockSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(blockSize, SharedChunk.Size);
        _network = network;
        _limit = limit;
        _onBlock = onBlock;
        _blockSize = blockSize;
    }

    /// <summary>Offset of the next unparsed byte in the zip.</summary>
    public long Position { get; private set; }

    /// <summary>Bytes read from the network so far.</summary>
    public long Received { get; private set; }

    /// <summary>Bytes read from the network and not parsed yet.</summary>
    public long Buffered => _buffered;

    /// <summary>The unparsed bytes of the current block (may be empty; <see cref="EnsureAsync"/> first).</summary>
    public ReadOnlySpan<byte> Head => HeadBlock is { } block ? block.Array.AsSpan(_offset, block.Length - _offset) : default;

    /// <summary>The current block (null before the first read).</summary>
    public SharedChunk? HeadBlock
    {
        get
        {
            DropFinishedHead();
            return _blocks.Count > 0 ? _blocks.Peek() : null;
        }
    }

    /// <summary>Offset of <see cref="Head"/> in <see cref="HeadBlock"/>.</summary>
    public int HeadOffset
    {
        get
        {
            DropFinishedHead();
            return _offset;
        }
    }

    /// <summary>Reads until at least <paramref name="count"/> unparsed bytes are buffered; false when the download ends first.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<bool> EnsureAsync(long count, CancellationToken cancellationToken)
    {
        while (_buffered < count)
        {
            if (_ended || !await ReadBlockAsync(cancellationToken).ConfigureAwait(false))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Ensures unparsed bytes in the current block: reads a block when it is used up; false at the end.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<bool> EnsureHeadAsync(CancellationToken cancellationToken)
    {
        if (!await EnsureAsync(1, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        DropFinishedHead();
        return true;
    }

    /// <summary>Copies buffered bytes from <paramref name="skip"/> bytes past the position, across blocks if need be.</summary>
    public void Peek(long skip, Span<byte> destination)
    {
        if (skip + destination.Length > _buffered)
        {
            throw new InvalidOperationException("Peek beyond the buffered bytes.");
        }

        var offset = _offset + skip;
        foreach (var block in _blocks)
        {
            if (offset >= block.Length)
            {
                offset -= block.Length;
                continue;
            }

            var take = (int)Math.Min(block.Length - offset, destination.Length);
            block.Array.AsSpan((int)offset, take).CopyTo(destination);
            destination = destination[take..];
            offset = 0;
            if (destination.IsEmpty)
            {
                return;
            }
        }
    }

    /// <summary>Marks <paramref name="count"/> buffered bytes parsed.</summary>
    public void Advance(long count)
    {
        if (count > _buffered)
        {
            throw new InvalidOperationException("Advance beyond the buffered bytes.");
        }

        _buffered -= count;
        Position += count;
        while (count > 0)
        {
            DropFinishedHead();
            var head = _blocks.Peek();
            var take = (int)Math.Min(head.Length - _offset, count);
            _offset += take;
            count -= take;
        }
    }

    /// <summary>Steps back <paramref name="count"/> bytes within the current block (what an inflater read too far).</summary>
    public bool TryRewind(int count)
    {
        if (count > _offset)
        {
            return false;
        }

        _offset -= count;
        _buffered += count;
        Position -= count;
        return true;
    }

    /// <summary>Reads the rest of the download without parsing it (every block still goes to <c>onBlock</c>).</summary>
    public async Task DrainAsync(CancellationToken cancellationToken)
    {
        while (!_ended && await ReadBlockAsync(cancellationToken).ConfigureAwait(false))
        {
            Advance(_buffered);
        }
    }

    public void Dispose()
    {
        while (_blocks.TryDequeue(out var block))
        {
            block.Release();
        }
    }

    private void DropFinishedHead()
    {
        // The exhausted head is kept until the parser moves on into the next block (see TryRewind).
        while (_blocks.Count > 1 && _offset == _blocks.Peek().Length)
        {
            _blocks.Dequeue().Release();
            _offset = 0;
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> ReadBlockAsync(CancellationToken cancellationToken)
    {
        var block = SharedChunk.Rent();
        try
        {
            // Whole blocks (unless the body ends): fewer, larger storage writes and block uploads.
            block.Length = await _network.ReadAtLeastAsync(block.Array.AsMemory(0, _blockSize), _blockSize, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            if (block.Length == 0)
            {
                _ended = true;
                return false;
            }

            Received += block.Length;
            if (Received > _limit)
            {
                throw new InvalidExportArchiveException(ExportArchiveProblem.TotalTooLarge, null,
                    $"The export zip is larger than {_limit:N0} bytes (the archive settings' MaxTotalBytes plus headers); the download was cut off.");
            }

            await _onBlock(block, cancellationToken).ConfigureAwait(false);
            _blocks.Enqueue(block);
            _buffered += block.Length;
            block = null;
            return true;
        }
        finally
        {
            block?.Release();
        }
    }
}
