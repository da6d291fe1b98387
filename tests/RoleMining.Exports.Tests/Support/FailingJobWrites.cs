namespace RoleMining.Exports.Tests.Support;

/// <summary>
/// A job store that fails the first <c>failures</c> writes of jobs that <c>matches</c> picks, with an IOException (a store
/// unavailable for a moment: an error, not a conflict), and passes everything else on.
/// </summary>
internal sealed class FailingJobWrites(IExportJobStore inner, Func<ExportJob, bool> matches, int failures) : IExportJobStore
{
    private int _failed;

    /// <summary>How many writes failed.</summary>
    public int Failed => Volatile.Read(ref _failed);

    public string? JobIdScope => inner.JobIdScope;

    public Task<StoredExportJob?> GetAsync(string jobId, CancellationToken cancellationToken = default) => inner.GetAsync(jobId, cancellationToken);

    public Task<StoredExportJob?> TryCreateAsync(ExportJob job, CancellationToken cancellationToken = default) => inner.TryCreateAsync(job, cancellationToken);

    public Task<StoredExportJob?> TryReplaceAsync(ExportJob job, string etag, CancellationToken cancellationToken = default)
    {
        if (matches(job) && Volatile.Read(ref _failed) < failures)
        {
            Interlocked.Increment(ref _failed);
            throw new IOException("The job store is unavailable (simulated).");
        }

        return inner.TryReplaceAsync(job, etag, cancellationToken);
    }

    public IAsyncEnumerable<ExportJob> QueryAsync(ExportJobQuery query, CancellationToken cancellationToken = default) => inner.QueryAsync(query, cancellationToken);
}
