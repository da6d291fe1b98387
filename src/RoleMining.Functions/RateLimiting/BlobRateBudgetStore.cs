using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using RoleMining.Functions.Configuration;
using RoleMining.Functions.Storage;
using RoleMining.SailPoint;

namespace RoleMining.Functions.RateLimiting;

/// <summary>
/// The SailPoint request budget shared by every instance of the app: one small JSON blob per tenant and client id in
/// <see cref="FunctionsSettings.RateBudgetContainer"/>, replaced only on the ETag that was read (<c>If-Match</c>, or
/// <c>If-None-Match: *</c> for the first write), so that two instances can never both take the same share of it. One
/// blob request per read or write; the SailPoint client leases its share for several seconds at a time, so these stay a
/// small fraction of its requests.
/// </summary>
public sealed class BlobRateBudgetStore : ISailPointRateBudgetStore
{
    private readonly BlobContainerClient _container;

    /// <summary>Creates the store over <see cref="FunctionsSettings.RateBudgetContainer"/> of <paramref name="service"/>.</summary>
    public BlobRateBudgetStore(BlobServiceClient service)
    {
        ArgumentNullException.ThrowIfNull(service);
        _container = service.GetBlobContainerClient(FunctionsSettings.RateBudgetContainer);
    }

    /// <inheritdoc />
    public async Task<SailPointStoredRateBudget?> ReadAsync(string budgetId, CancellationToken cancellationToken)
    {
        try
        {
            var download = await Blob(budgetId).DownloadContentAsync(cancellationToken).ConfigureAwait(false);
            return new SailPointStoredRateBudget(download.Value.Content.ToMemory(), StorageConflicts.FromETag(download.Value.Details.ETag));
        }
        catch (RequestFailedException exception) when (StorageConflicts.IsNotFound(exception))
        {
            return null;
        }
    }

    /// <inheritdoc />
    public async Task<string?> TryReplaceAsync(string budgetId, ReadOnlyMemory<byte> content, string? expectedVersion, CancellationToken cancellationToken)
    {
        var options = new BlobUploadOptions
        {
            HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" },
            Conditions = expectedVersion is null
                ? new BlobRequestConditions { IfNoneMatch = ETag.All }
                : new BlobRequestConditions { IfMatch = StorageConflicts.ToIfMatch(expectedVersion) },
        };
        try
        {
            var uploaded = await Blob(budgetId).UploadAsync(BinaryData.FromBytes(content), options, cancellationToken).ConfigureAwait(false);
            return StorageConflicts.FromETag(uploaded.Value.ETag);
        }
        catch (RequestFailedException exception) when (StorageConflicts.IsConcurrencyConflict(exception))
        {
            return null;
        }
    }

    private BlobClient Blob(string budgetId)
    {
        // The id is the library's hex digest; anything else would be a bug, not a name to store.
        if (budgetId.Length is 0 or > 64 || !budgetId.All(char.IsAsciiHexDigitLower))
        {
            throw new ArgumentException("A budget id is lowercase hex of at most 64 characters.", nameof(budgetId));
        }

        return _container.GetBlobClient(budgetId + ".json");
    }
}
