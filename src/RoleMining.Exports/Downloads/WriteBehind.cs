using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace RoleMining.Exports;

/// <summary>
/// Writes chunks to a storage stream on its own task, in order, so that storage writes (a file write, a block upload)
/// overlap the network reads and the unpacking instead of taking turns with them. A bounded queue keeps memory flat: a
/// producer that runs ahead waits. An optional observer sees each chunk on the writer's task (the zip's SHA-256 runs
/// there, on the second core, instead of on the unpacking path).
/// </summary>
internal sealed class WriteBehind : IAsyncDisposable
{
    private readonly Stream _destination;
    private readonly Action<ReadOnlySpan<byte>>? _observe;
    private readonly Channel<Slice> _queue;
    private readonly CancellationTokenSource _abort = new();
    private readonly Task _writer;
    private bool _completed;
    private bool _disposed;

    public WriteBehind(Stream destination, int capacity, Action<ReadOnlySpan<byte>>? observe = null)
    {
        _destination = destination;
        _observe = observe;
        _queue = Channel.CreateBounded<Slice>(new BoundedChannelOptions(capacity) { SingleReader = true, SingleWriter = true });
        _writer = Task.Run(WriteAllAsync);
    }

    /// <summary>Bytes handed to the writer so far.</summary>
    public long Enqueued { get; private set; }

    /// <summary>Queues <paramref name="count"/> bytes of <paramref name="chunk"/> (held until written).</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask EnqueueAsync(SharedChunk chunk, int offset, int count, CancellationToken cancellationToken)
    {
        if (count == 0)
        {
            return;
        }

        chunk.Retain();
        try
        {
            await _queue.Writer.WriteAsync(new Slice(chunk, offset, count), cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            chunk.Release();
            await _writer.ConfigureAwait(false); // Throws what stopped the writer.
            throw;
        }
        catch
        {
            chunk.Release();
            throw;
        }

        Enqueued += count;
    }

    /// <summary>Waits until every queued byte is written and the destination is flushed; throws what failed.</summary>
    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        await _writer.WaitAsync(cancellationToken).ConfigureAwait(false);
        await _destination.FlushAsync(cancellationToken).ConfigureAwait(false);
        _completed = true;
    }

    /// <summary>
    /// Stops writing (what is queued is dropped unless completed before) and disposes the destination. Closing the
    /// destination finishes the write (a blob's block list is committed then), so after <see cref="CompleteAsync"/> its
    /// failure is thrown. A write that was not completed is given up (<see cref="IAbandonableWrite"/>) before the close,
    /// and a failure to close is not thrown, lest it hide the failure that abandoned the write.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _queue.Writer.TryComplete();
        if (!_completed)
        {
            // Also when CompleteAsync was called but cancelled: the writer must not go on writing what is queued.
            await _abort.CancelAsync().ConfigureAwait(false);
        }

        try
        {
            await _writer.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Reported by CompleteAsync or EnqueueAsync already, or the work was abandoned (staging is discarded).
        }
        finally
        {
            while (_queue.Reader.TryRead(out var left))
            {
                left.Chunk.Release();
            }

            _abort.Dispose();
        }

        if (_completed)
        {
            await _destination.DisposeAsync().ConfigureAwait(false);
            return;
        }

        try
        {
            StagingWrites.GiveUp(_destination);
            await _destination.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The write was abandoned for another reason, which is what the caller reports; staging is discarded anyway.
        }
    }

    private async Task WriteAllAsync()
    {
        try
        {
            // The wait takes no token: a cancellable wait costs the channel a new operation object each time it waits
            // (its reusable one serves only waits that cannot be cancelled), once per block of a download. Giving up
            // still ends it: DisposeAsync completes the queue before it cancels _abort.
            while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
            {
                while (_queue.Reader.TryRead(out var slice))
                {
                    try
                    {
                        _abort.Token.ThrowIfCancellationRequested();
                        var memory = slice.Chunk.Array.AsMemory(slice.Offset, slice.Count);
                        _observe?.Invoke(memory.Span);
                        await _destination.WriteAsync(memory, _abort.Token).ConfigureAwait(false);
                    }
                    finally
                    {
                        slice.Chunk.Release();
                    }
                }
            }
        }
        catch (Exception exception)
        {
            _queue.Writer.TryComplete(exception);
            throw;
        }
    }

    private readonly record struct Slice(SharedChunk Chunk, int Offset, int Count);
}
