using System.Runtime.CompilerServices;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using RoleMining.Exports;
using RoleMining.Functions.Configuration;

namespace RoleMining.Functions.Storage;

/// <summary>
/// Job documents as blobs (<see cref="JobDocuments"/>) with the blob's ETag as the document version: create is an upload
/// with <c>If-None-Match: *</c>, replace an upload with <c>If-Match</c>; a lost condition becomes the port's null
/// (<see cref="StorageConflicts"/>). Each upload is a single Put Blob, so a reader sees the old or the new document.
/// </summary>
public sealed class BlobExportJobStore : IExportJobStore
{
    private readonly BlobContainerClient _container;

    /// <summary>Creates the store over <see cref="FunctionsSettings.JobContainer"/> of <paramref name="service"/>.</summary>
    public BlobExportJobStore(BlobServiceClient service)
    {
        ArgumentNullException.ThrowIfNull(service);
        _container = service.GetBlobContainerClient(FunctionsSettings.JobContainer);
    }

    /// <inheritdoc />
    public async Task<StoredExportJob?> GetAsync(string jobId, CancellationToken cancellationToken = default)
    {
        var blob = _container.GetBlobClient(JobDocuments.BlobName(jobId));
        try
        {
            var download = await blob.DownloadContentAsync(cancellationToken);
            var job = ExportsJson.DeserializeJob(download.Value.Content.ToMemory().Span);
            return new StoredExportJob(job, StorageConflicts.FromETag(download.Value.Details.ETag));
        }
        catch (RequestFailedException exception) when (StorageConflicts.IsNotFound(exception))
        {
            return null;
        }
    }

    /// <inheritdoc />
    public Task<StoredExportJob?> TryCreateAsync(ExportJob job, CancellationToken cancellationToken = default) =>
        UploadAsync(job, new BlobRequestConditions { IfNoneMatch = ETag.All }, cancellationToken);

    /// <inheritdoc />
    public Task<StoredExportJob?> TryReplaceAsync(ExportJob job, string etag, CancellationToken cancellationToken = default) =>
        UploadAsync(job, new BlobRequestConditions { IfMatch = StorageConflicts.ToIfMatch(etag) }, cancellationToken);

    /// <inheritdoc />
    public async IAsyncEnumerable<ExportJob> QueryAsync(ExportJobQuery query, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        await foreach (var item in _container.GetBlobsAsync(BlobTraits.Metadata, BlobStates.None, null, cancellationToken))
        {
            if (JobDocuments.JobIdOf(item.Name) is not { } jobId || !JobDocuments.MayMatch(item.Metadata, query))
            {
                continue;
            }

            // The listing is a snapshot; the document may have changed or gone since, so the downloaded one decides.
            if (await GetAsync(jobId, cancellationToken) is not { } stored)
            {
                continue;
            }

            if (!JobDocuments.HasCurrentMetadata(item.Metadata))
            {
                await TryCompleteMetadataAsync(jobId, stored, cancellationToken);
            }

            if (query.Matches(stored.Job))
            {
                yield return stored.Job;
            }
        }
    }

    /// <summary>
    /// Gives a document written by an earlier version the metadata of this one, so that later queries can skip it without
    /// downloading it (the resume timer asks every 30 seconds). Best effort, and only if the document is unchanged: a
    /// writer that comes first writes the metadata itself.
    /// </summary>
    private async Task TryCompleteMetadataAsync(string jobId, StoredExportJob stored, CancellationToken cancellationToken)
    {
        try
        {
            await _container.GetBlobClient(JobDocuments.BlobName(jobId)).SetMetadataAsync(
                JobDocuments.Metadata(stored.Job), new BlobRequestConditions { IfMatch = StorageConflicts.ToIfMatch(stored.ETag) }, cancellationToken);
        }
        catch (RequestFailedException)
        {
            // Changed meanwhile (its writer wrote the metadata), gone, or not allowed: the next query tries again.
        }
    }

    private async Task<StoredExportJob?> UploadAsync(ExportJob job, BlobRequestConditions conditions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        var blob = _container.GetBlobClient(JobDocuments.BlobName(job.JobId));
        var options = new BlobUploadOptions
        {
            Conditions = conditions,
            Metadata = JobDocuments.Metadata(job),
            HttpHeaders = new BlobHttpHeaders { ContentType = JobDocuments.ContentType },
        };
        try
        {
            var response = await blob.UploadAsync(new BinaryData(ExportsJson.SerializeJob(job)), options, cancellationToken);
            return new StoredExportJob(job, StorageConflicts.FromETag(response.Value.ETag));
        }
        catch (RequestFailedException exception) when (StorageConflicts.IsConcurrencyConflict(exception) || StorageConflicts.IsNotFound(exception))
        {
            // Someone else created or changed the document first (or it is gone): the caller re-reads and decides again.
            // A missing container is no such answer: it propagates (StorageConflicts.IsNotFound).
            return null;
        }
    }
}
