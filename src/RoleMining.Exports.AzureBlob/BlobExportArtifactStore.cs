using System.Buffers;
using System.Runtime.CompilerServices;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
namespace RoleMining.Exports.AzureBlob;

/// <summary>
/// Export files as block blobs in one container, laid out by
/// <see cref="ExportArtifactLayout"/>. Writes stream (<see cref="BlockBlobStagingStream"/>): a block is staged whenever
/// the buffer fills, a few uploads in flight while the download goes on, and the block list is committed when the stream
/// is disposed, so a multi-gigabyte zip never sits in memory and nothing of a staging blob is visible before it is whole.
/// Publishing is a server-side copy within the account (the destination's credential, an Entra identity or the account
/// key, authorizes the source too) followed by deleting the staging blob; the workflow writes the manifest last, which
/// marks a job folder complete.
/// </summary>
public sealed class BlobExportArtifactStore : IExportArtifactStore
{
    /// <summary>
    /// Bytes per staged block. A download writes two blobs at once (the zip and the CSV being unpacked), each holding
    /// (uploads in flight + 1) blocks, so this sets the memory of a download: 1 MB blocks keep it near 10 MB, where 4 MB
    /// blocks cost 40 MB and measured no faster against Azurite (bench/RoleMining.Exports.Bench --wire). A blob can have
    /// 50,000 blocks, so 1 MB blocks still allow 48 GB, far above Exports:Archive:MaxTotalBytes.
    /// </summary>
    public const int BlockSize = 1024 * 1024;

    /// <summary>Block uploads in flight per blob, so that upload latency overlaps the download and each other.</summary>
    public const int MaxConcurrentUploads = 4;

    private readonly BlobContainerClient _container;
    private readonly int _blockSize;
    private readonly int _maxConcurrentUploads;

    // A pool of its own: the shared pool parks an array per thread, and block uploads finish on many threads, so it
    // missed (and allocated a new block) about every time.
    private readonly ArrayPool<byte> _blocks;

    /// <summary>Creates the store over <paramref name="container"/> (which must exist).</summary>
    public BlobExportArtifactStore(BlobContainerClient container)
        : this(container, BlockSize, MaxConcurrentUploads)
    {
    }

    /// <summary>Creates the store with another block size and number of uploads in flight per blob (to measure them).</summary>
    public BlobExportArtifactStore(BlobContainerClient container, int blockSize, int maxConcurrentUploads)
    {
        ArgumentNullException.ThrowIfNull(container);
        ArgumentOutOfRangeException.ThrowIfLessThan(blockSize, 64 * 1024);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxConcurrentUploads);
        _container = container;
        _blockSize = blockSize;
        _maxConcurrentUploads = maxConcurrentUploads;
        _blocks = ArrayPool<byte>.Create(blockSize, maxArraysPerBucket: 64);
    }

    /// <inheritdoc />
    public Task<Stream> OpenStagingWriteAsync(string stagingPath, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Stream stream = new BlockBlobStagingStream(_container.GetBlockBlobClient(stagingPath), _blocks, _blockSize, _maxConcurrentUploads);
        return Task.FromResult(stream);
    }

    /// <inheritdoc />
    public async Task PublishAsync(string stagingPath, string path, CancellationToken cancellationToken = default)
    {
        var source = _container.GetBlobClient(stagingPath);
        var target = _container.GetBlobClient(path);

        // Within one account the copy is done by the service (no bytes through this process) and the destination's
        // authorization covers the source; the copied blob appears whole once the copy has completed.
        var copy = await target.StartCopyFromUriAsync(source.Uri, options: null, cancellationToken);
        await copy.WaitForCompletionAsync(cancellationToken);

        // The wait ends without an error when the copy failed or was aborted, or when another copy replaced this one: the
        // target's copy properties tell. Only a copy of ours that succeeded may cost the staging blob, the only good copy.
        BlobProperties copied = await target.GetPropertiesAsync(conditions: null, cancellationToken);
        if (copied.CopyStatus != CopyStatus.Success || !string.Equals(copied.CopyId, copy.Id, StringComparison.Ordinal))
        {
            throw new IOException(
                $"Publishing '{stagingPath}' as '{path}' did not complete: the server-side copy {copy.Id} ended {copied.CopyStatus}"
                + (copied.CopyId is { } copyId && copyId != copy.Id ? $" (the target now holds copy {copyId})" : string.Empty)
                + (string.IsNullOrEmpty(copied.CopyStatusDescription) ? "." : $": {copied.CopyStatusDescription}."));
        }

        await source.DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, conditions: null, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<Stream?> OpenReadAsync(string path, CancellationToken cancellationToken = default)
    {
        var blob = _container.GetBlobClient(path);
        try
        {
            // The stream downloads ranges on demand and can seek (the archive reader jumps to the zip's central directory).
            return await blob.OpenReadAsync(new BlobOpenReadOptions(allowModifications: false) { BufferSize = BlockSize }, cancellationToken);
        }
        catch (RequestFailedException exception) when (exception.Status == 404)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ArtifactItem> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        await foreach (var item in _container.GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix.Length == 0 ? null : prefix, cancellationToken))
        {
            yield return new ArtifactItem(item.Name, item.Properties.ContentLength ?? 0, item.Properties.LastModified ?? DateTimeOffset.MinValue);
        }
    }

    /// <inheritdoc />
    public async Task<bool> DeleteAsync(string path, CancellationToken cancellationToken = default)
    {
        var response = await _container.GetBlobClient(path).DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, conditions: null, cancellationToken);
        return response.Value;
    }
}
