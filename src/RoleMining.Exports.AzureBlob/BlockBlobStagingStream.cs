using System.Buffers;
using System.Globalization;
using System.Runtime.ExceptionServices;
using System.Text;
using Azure.Storage;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace RoleMining.Exports.AzureBlob;

/// <summary>
/// Writes a block blob as staged blocks, several uploads in flight while the caller goes on writing, and commits the
/// block list when the stream is closed. Staged blocks are invisible to readers, so nothing of the blob can be seen
/// before the close, and a blob that existed under the name is replaced only at the commit. A write given up midway
/// (<see cref="Abandon"/>) cancels its uploads and commits nothing: the blob stays as it was, and the service discards
/// the uncommitted blocks (after a week).
/// </summary>
/// <remarks>
/// Written by hand because the SDK's <c>OpenWriteAsync</c> stages one block at a time (the upload waits for each block)
/// and, with <c>overwrite: true</c>, commits an empty blob when it opens. <c>UploadAsync</c> uploads in parallel but
/// reads from a stream it pulls, while the download pipeline pushes its blocks.
/// </remarks>
internal sealed class BlockBlobStagingStream : Stream, IAbandonableWrite
{
    /// <summary>
    /// Every block is sent with its MD5 (<c>Content-MD5</c>), so the service rejects a block that does not arrive as
    /// it was written, and the write fails instead of committing it. MD5 rather than CRC-64 because the service
    /// computes a CRC-64 of every block that comes without an MD5, and Azurite (the local and test storage) does that
    /// byte by byte in JavaScript: with the MD5 it takes blocks about twice as fast (measured in bench/).
    /// </summary>
    private static readonly BlockBlobStageBlockOptions TransactionalMd5 = new()
    {
        TransferValidation = new UploadTransferValidationOptions { ChecksumAlgorithm = StorageChecksumAlgorithm.MD5 },
    };

    private readonly BlockBlobClient _blob;
    private readonly ArrayPool<byte> _pool;
    private readonly int _blockSize;
    private readonly int _maxUploads;
    private readonly List<string> _blockIds = [];

    // Block ids of this write only: a blob written again (the single pass given up and the file staged anew) gets ids the
    // first write never used, so a block of the first whose upload the service carries out late is never committed.
    private readonly string _blockIdPrefix = Guid.NewGuid().ToString("N")[..8];
    private readonly Queue<Task> _uploads = new();
    private readonly CancellationTokenSource _abandon = new();
    private byte[]? _block;
    private int _filled;
    private long _length;
    private Exception? _failure; // The first upload failure not caused by giving up (set by the upload tasks).
    private bool _closed;
    private bool _abandoned;

    /// <param name="blob">The blob to write.</param>
    /// <param name="pool">Where block buffers come from and go back to.</param>
    /// <param name="blockSize">Bytes per block.</param>
    /// <param name="maxUploads">Block uploads in flight at most.</param>
    public BlockBlobStagingStream(BlockBlobClient blob, ArrayPool<byte> pool, int blockSize, int maxUploads)
    {
        ArgumentNullException.ThrowIfNull(blob);
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(blockSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxUploads);
        _blob = blob;
        _pool = pool;
        _blockSize = blockSize;
        _maxUploads = maxUploads;
    }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => !_closed;

    public override long Length => _length;

    public override long Position
    {
        get => _length;
        set => throw new NotSupportedException();
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        if (_abandoned)
        {
            throw new InvalidOperationException($"The write of blob '{_blob.Name}' was given up.");
        }

        ThrowIfFailed();
        while (!buffer.IsEmpty)
        {
            _block ??= _pool.Rent(_blockSize);
            var take = Math.Min(_blockSize - _filled, buffer.Length);
            buffer.Span[..take].CopyTo(_block.AsSpan(_filled));
            _filled += take;
            _length += take;
            buffer = buffer[take..];
            if (_filled == _blockSize)
            {
                await StageBlockAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) =>
        WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    /// <summary>Nothing to do: the content becomes visible only when the stream is closed.</summary>
    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public void Abandon()
    {
        if (_closed || _abandoned)
        {
            return;
        }

        _abandoned = true;
        try
        {
            _abandon.Cancel();
        }
        catch (AggregateException)
        {
            // A cancellation callback of an upload failed; that upload's own failure is of no interest any more.
        }
    }

    /// <summary>
    /// Stages what is left, waits for every upload and commits the block list (unless an upload failed). After
    /// <see cref="Abandon"/> or a failure, cancels the uploads still in flight and commits nothing.
    /// </summary>
    public override async ValueTask DisposeAsync()
    {
        if (_closed)
        {
            return;
        }

        _closed = true;
        try
        {
            if (_abandoned)
            {
                return;
            }

            if (Volatile.Read(ref _failure) is null && _filled > 0)
            {
                await StageBlockAsync(CancellationToken.None).ConfigureAwait(false);
            }

            while (_uploads.TryDequeue(out var upload))
            {
                await AwaitUploadAsync(upload).ConfigureAwait(false);
            }

            ThrowIfFailed();
            await _blob.CommitBlockListAsync(_blockIds, options: null, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            // Uploads still queued belong to a write given up or failed: none of them will be committed, so they are
            // cancelled, and awaited only so that their blocks go back to the pool.
            if (_uploads.Count > 0)
            {
                await _abandon.CancelAsync().ConfigureAwait(false);
                while (_uploads.TryDequeue(out var left))
                {
                    await AwaitUploadAsync(left).ConfigureAwait(false);
                }
            }

            ReturnBlock();
            _abandon.Dispose();
            await base.DisposeAsync().ConfigureAwait(false);
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_closed)
        {
            DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        base.Dispose(disposing);
    }

    private async Task StageBlockAsync(CancellationToken cancellationToken)
    {
        while (_uploads.Count >= _maxUploads)
        {
            await AwaitUploadAsync(_uploads.Dequeue()).ConfigureAwait(false);
            ThrowIfFailed();
        }

        // Block ids must all have the same length within a blob.
        var id = Convert.ToBase64String(Encoding.ASCII.GetBytes(_blockIdPrefix + _blockIds.Count.ToString("D6", CultureInfo.InvariantCulture)));
        _blockIds.Add(id);
        var block = _block!;
        var length = _filled;
        _block = null;
        _filled = 0;
        // On the thread pool: the SDK computes the block's MD5 before it sends it, which the writer need not wait for.
        _uploads.Enqueue(Task.Run(() => UploadAsync(id, block, length, cancellationToken), CancellationToken.None));
    }

    private async Task UploadAsync(string id, byte[] block, int length, CancellationToken cancellationToken)
    {
        try
        {
            // Cancelled by the writer's token or by Abandon, whichever comes first.
            using var linked = cancellationToken.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _abandon.Token) : null;
            using var content = new MemoryStream(block, 0, length, writable: false);
            await _blob.StageBlockAsync(id, content, TransactionalMd5, linked?.Token ?? _abandon.Token).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            // The first failure is the one to report; the cancellations it (or Abandon) causes in the other uploads are
            // not. The blob will not be committed now, so the other uploads are stopped rather than waited for.
            if (exception is not OperationCanceledException || !_abandon.IsCancellationRequested)
            {
                Interlocked.CompareExchange(ref _failure, exception, null);
            }

            await _abandon.CancelAsync().ConfigureAwait(false);
            throw;
        }
        finally
        {
            _pool.Return(block);
        }
    }

    private static async Task AwaitUploadAsync(Task upload)
    {
        try
        {
            await upload.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Recorded by UploadAsync when it is the first failure.
        }
    }

    /// <summary>
    /// Throws the first upload failure: a cancellation by the writer's token as it is (so that the caller sees its own
    /// cancellation, not a storage failure), anything else as an IOException naming the blob.
    /// </summary>
    private void ThrowIfFailed()
    {
        switch (Volatile.Read(ref _failure))
        {
            case null:
                return;
            case OperationCanceledException cancelled:
                ExceptionDispatchInfo.Throw(cancelled);
                return;
            case var failure:
                throw new IOException($"Staging a block of blob '{_blob.Name}' failed: {failure.Message}", failure);
        }
    }

    private void ReturnBlock()
    {
        if (_block is { } block)
        {
            _block = null;
            _pool.Return(block);
        }
    }
}
