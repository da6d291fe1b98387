using RoleMining.Exports;

namespace RoleMining.Functions.Storage;

/// <summary>
/// How job documents are kept as blobs: <c>{jobId}.json</c> at the root of
/// <see cref="Configuration.FunctionsSettings.JobContainer"/>, with the fields queries filter on copied into the blob's
/// metadata, so that a query lists the container (metadata included) and downloads only the documents that may match.
/// Metadata is written with the document in one request, so it can never disagree with it.
/// </summary>
public static class JobDocuments
{
    /// <summary>The extension of a job document.</summary>
    public const string Extension = ".json";

    /// <summary>Metadata key of the session id.</summary>
    public const string SessionIdKey = "sessionid";

    /// <summary>Metadata key of the potential role id.</summary>
    public const string PotentialRoleIdKey = "potentialroleid";

    /// <summary>Metadata key of the job state.</summary>
    public const string StateKey = "state";

    /// <summary>Metadata key of whether the job's completion callback is pending (<c>true</c> or <c>false</c>).</summary>
    public const string CallbackPendingKey = "callbackpending";

    /// <summary>The content type of a job document.</summary>
    public const string ContentType = "application/json";

    /// <summary>The blob name of <paramref name="jobId"/>'s document.</summary>
    /// <exception cref="ArgumentException">The id could not be one blob-name segment.</exception>
    public static string BlobName(string jobId)
    {
        ExportJobIds.ThrowIfUnsafe(jobId, nameof(jobId));
        return jobId + Extension;
    }

    /// <summary>The job id of a document blob; null for any other blob.</summary>
    public static string? JobIdOf(string blobName)
    {
        ArgumentNullException.ThrowIfNull(blobName);
        if (!blobName.EndsWith(Extension, StringComparison.Ordinal))
        {
            return null;
        }

        var jobId = blobName[..^Extension.Length];
        return ExportJobIds.IsSafeSegment(jobId) ? jobId : null;
    }

    /// <summary>The metadata stored with <paramref name="job"/>'s document (ids are safe segments, so valid ASCII).</summary>
    public static Dictionary<string, string> Metadata(ExportJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            [SessionIdKey] = job.SessionId,
            [PotentialRoleIdKey] = job.PotentialRoleId,
            [StateKey] = job.State.ToString(),
            [CallbackPendingKey] = job.HasPendingCallback ? "true" : "false",
        };
    }

    /// <summary>Whether <paramref name="metadata"/> has every key this version writes (an earlier version wrote fewer).</summary>
    public static bool HasCurrentMetadata(IDictionary<string, string>? metadata) =>
        metadata is not null
        && new[] { SessionIdKey, PotentialRoleIdKey, StateKey, CallbackPendingKey }.All(key => metadata.Keys.Any(name => string.Equals(name, key, StringComparison.OrdinalIgnoreCase)));

    /// <summary>
    /// Whether a document with <paramref name="metadata"/> may match <paramref name="query"/>. Documents without the
    /// metadata (written by hand, or by an older version) may match anything: the caller downloads them and checks with
    /// <see cref="ExportJobQuery.Matches"/>, which stays the authority.
    /// </summary>
    public static bool MayMatch(IDictionary<string, string>? metadata, ExportJobQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (metadata is null)
        {
            return true;
        }

        var lookup = new Dictionary<string, string>(metadata, StringComparer.OrdinalIgnoreCase);
        return Allows(lookup, SessionIdKey, query.SessionId)
            && Allows(lookup, PotentialRoleIdKey, query.PotentialRoleId)
            && (query.States is null
                || !lookup.TryGetValue(StateKey, out var state)
                || !Enum.TryParse<ExportJobState>(state, ignoreCase: false, out var parsed)
                || query.States.Contains(parsed))
            && (query.CallbackPending is not { } pending
                || !lookup.TryGetValue(CallbackPendingKey, out var flag)
                || !bool.TryParse(flag, out var parsedFlag)
                || parsedFlag == pending);
    }

    /// <summary>Whether the id under <paramref name="key"/> may be <paramref name="wanted"/>: in either letter case, as the query matches.</summary>
    private static bool Allows(Dictionary<string, string> metadata, string key, string? wanted) =>
        wanted is null || !metadata.TryGetValue(key, out var actual) || ExportJobIds.SameSailPointId(actual, wanted);
}
