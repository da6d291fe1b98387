using System.Runtime.CompilerServices;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using RoleMining.Exports;
using RoleMining.Functions.Configuration;

namespace RoleMining.Functions.Storage;

/// <summary>
/// Export files as block blobs in <see cref="FunctionsSettings.ArtifactContainer"/>, laid out by
/// <see cref="ExportArtifactLayout"/>. Writes stream (<see cref="BlockBlobStagingStream"/>): a block is staged whenever
/// the buffer fills, a few uploads in flight while the download goes on, and the block list is committed when the stream
/// is disposed, so a multi-gigabyte zip never sits in memory and nothing of a staging blob is visible before it is whole. Publishing is a server-side copy within the account (authorized by the same Entra identity) followed
/// by deleting the staging blob; the workflow writes the manifest last, which marks a job folder complete.
/// </summary>
public sealed class BlobExportArtifactStore : IExportArtifactStore
{
    /// <summary>Bytes per staged block: large enough for throughput, small enough for many parallel downloads.</summary>
    public const int BlockSize = 4 * 1024 * 1024;

    /// <summary>
    /// Block uploads in flight per blob. A download writes two blobs at once (the zip and the CSV being unpacked), so this
    /// is also what keeps the memory of one download near 2 x (uploads + 1) blocks.
    /// </summary>
    public const int MaxConcurrentUploads = 2;

    private readonly BlobContainerClient _container;

    /// <summary>Creates the store over <see cref="FunctionsSettings.ArtifactContainer"/> of <paramref name="service"/>.</summary>
    public BlobExportArtifactStore(BlobServiceClient service)
    {
        ArgumentNullException.ThrowIfNull(service);
        _container = service.GetBlobContainerClient(FunctionsSettings.ArtifactContainer);
    }

    /// <inheritdoc />
    public Task<Stream> OpenStagingWriteAsync(string stagingPath, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Stream stream = new BlockBlobStagingStream(_container.GetBlockBlobClient(stagingPath), BlockSize, MaxConcurrentUploads);
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
        catch (RequestFailedException exception) when (StorageConflicts.IsNotFound(exception))
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
