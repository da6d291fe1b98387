using Azure;
using Azure.Storage.Blobs.Models;

namespace RoleMining.Functions.Storage;

/// <summary>
/// Which storage errors mean "someone else wrote first" for the job store's optimistic concurrency: the port returns null
/// for these (the caller re-reads and decides again), and lets every other failure propagate so the message is retried.
/// </summary>
public static class StorageConflicts
{
    /// <summary>A conditional write lost (<c>If-Match</c> or <c>If-None-Match: *</c> failed).</summary>
    public static bool IsConcurrencyConflict(RequestFailedException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception.Status switch
        {
            // 412 ConditionNotMet: If-Match did not match, or If-None-Match: * met an existing blob.
            412 => true,

            // 409 BlobAlreadyExists: a create raced another create; 409 with a lease error means a concurrent writer holds it.
            409 => exception.ErrorCode is "BlobAlreadyExists" or "LeaseIdMissing" or "LeaseIdMismatchWithBlobOperation",
            _ => false,
        };
    }

    /// <summary>
    /// The blob does not exist. Not when its container is missing (a deployment without its containers): that is an
    /// error to report, where "no such document" would send a create into a loop of retries that can never win.
    /// </summary>
    public static bool IsNotFound(RequestFailedException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception.Status == 404 && exception.ErrorCode != BlobErrorCode.ContainerNotFound.ToString();
    }

    /// <summary>The ETag to send back in <c>If-Match</c> for a job's opaque ETag string.</summary>
    public static ETag ToIfMatch(string etag)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(etag);
        return new ETag(etag);
    }

    /// <summary>The opaque ETag string the job store port hands out (quotes included, as the service sent it).</summary>
    public static string FromETag(ETag etag) => etag.ToString();
}
