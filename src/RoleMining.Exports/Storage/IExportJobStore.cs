namespace RoleMining.Exports;

/// <summary>
/// Keeps export job documents with optimistic concurrency. Every write names the ETag it read; a write whose ETag no
/// longer matches is refused (null), and the caller re-reads and decides again. An Azure Blob Storage adapter maps this to
/// one blob per job: upload with <c>If-None-Match: *</c> (create), download with its ETag (get), upload with
/// <c>If-Match</c> (replace), a 412/409 answer becoming null; queries list the blobs (or use blob index tags) and filter
/// with <see cref="ExportJobQuery.Matches"/>.
/// </summary>
public interface IExportJobStore
{
    /// <summary>Reads a job and its ETag; null when there is no such job.</summary>
    Task<StoredExportJob?> GetAsync(string jobId, CancellationToken cancellationToken = default);

    /// <summary>Stores a new job; null when a job with the same id already exists (nothing is written then).</summary>
    Task<StoredExportJob?> TryCreateAsync(ExportJob job, CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces a job if it still has <paramref name="etag"/>; null when it changed meanwhile (or no longer exists).
    /// </summary>
    Task<StoredExportJob?> TryReplaceAsync(ExportJob job, string etag, CancellationToken cancellationToken = default);

    /// <summary>Every job that matches <paramref name="query"/>, in no particular order.</summary>
    IAsyncEnumerable<ExportJob> QueryAsync(ExportJobQuery query, CancellationToken cancellationToken = default);

    /// <summary>
    /// Mixed into the job ids derived from idempotency keys (<see cref="ExportJobIds.FromIdempotencyKey(string, string?)"/>).
    /// A job id names its artifact folder, so a store whose jobs share an artifact store with other job stores (several
    /// command-line runs, or a run and the Functions app, writing to one blob container) needs a scope of its own: the same
    /// key must not name the same folder for two of them. Null (the default): ids depend on the key alone.
    /// </summary>
    string? JobIdScope => null;
}

/// <summary>A job as read from the store, with the ETag a replace must name.</summary>
/// <param name="Job">The job.</param>
/// <param name="ETag">Opaque version of the document.</param>
public sealed record StoredExportJob(ExportJob Job, string ETag);

/// <summary>Which jobs to list; null criteria match everything.</summary>
public sealed record ExportJobQuery
{
    /// <summary>Every job.</summary>
    public static ExportJobQuery All { get; } = new();

    /// <summary>Only jobs of this session.</summary>
    public string? SessionId { get; init; }

    /// <summary>Only jobs of this potential role.</summary>
    public string? PotentialRoleId { get; init; }

    /// <summary>Only jobs in one of these states.</summary>
    public IReadOnlyCollection<ExportJobState>? States { get; init; }

    /// <summary>
    /// Only jobs whose completion callback is pending (true), or only those with none pending (false): the resume timer
    /// looks for the former among ended jobs, which otherwise grow without bound.
    /// </summary>
    public bool? CallbackPending { get; init; }

    /// <summary>Whether <paramref name="job"/> matches (shared by every store, so they filter alike).</summary>
    public bool Matches(ExportJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return (SessionId is null || ExportJobIds.SameSailPointId(SessionId, job.SessionId))
            && (PotentialRoleId is null || ExportJobIds.SameSailPointId(PotentialRoleId, job.PotentialRoleId))
            && (States is null || States.Contains(job.State))
            && (CallbackPending is not { } pending || pending == job.HasPendingCallback);
    }
}
