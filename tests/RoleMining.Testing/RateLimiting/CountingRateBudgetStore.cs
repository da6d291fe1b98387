using RoleMining.SailPoint;

namespace RoleMining.Testing.RateLimiting;

/// <summary>
/// Counts what a rate-budget store is asked (reads, writes, writes that lost to another writer) and can make the
/// first writers race: a decorator for tests and benchmarks of the shared SailPoint budget.
/// </summary>
public sealed class CountingRateBudgetStore(ISailPointRateBudgetStore inner, ArrivalBarrier? writeBarrier = null) : ISailPointRateBudgetStore
{
    private int _reads;
    private int _writes;
    private int _conflicts;

    public int Reads => Volatile.Read(ref _reads);

    public int Writes => Volatile.Read(ref _writes);

    public int Conflicts => Volatile.Read(ref _conflicts);

    /// <summary>Every storage round trip.</summary>
    public int Operations => Reads + Writes;

    public Task<SailPointStoredRateBudget?> ReadAsync(string budgetId, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _reads);
        return inner.ReadAsync(budgetId, cancellationToken);
    }

    public async Task<string?> TryReplaceAsync(string budgetId, ReadOnlyMemory<byte> content, string? expectedVersion, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _writes);
        if (writeBarrier is not null)
        {
            await writeBarrier.ArriveAsync(cancellationToken);
        }

        var written = await inner.TryReplaceAsync(budgetId, content, expectedVersion, cancellationToken);
        if (written is null)
        {
            Interlocked.Increment(ref _conflicts);
        }

        return written;
    }
}
