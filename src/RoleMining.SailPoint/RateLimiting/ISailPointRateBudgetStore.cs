namespace RoleMining.SailPoint;

/// <summary>
/// Where the request budget of a client id is kept when several processes share it (every instance of a scaled-out
/// Function App): one small document per budget, replaced only when nobody else replaced it since it was read
/// (optimistic concurrency, e.g. Azure Blob Storage with <c>If-Match</c>/<c>If-None-Match</c> on the ETag).
/// Register an implementation as a singleton and every client of the container shares the budget through it; without
/// one, the budget is the process's own. The document's format belongs to this library; a store only keeps its bytes.
/// </summary>
public interface ISailPointRateBudgetStore
{
    /// <summary>Reads the budget's document; null when there is none yet.</summary>
    /// <param name="budgetId">Names the budget (lowercase hex, at most 64 characters): the same tenant and client id give the same name.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    Task<SailPointStoredRateBudget?> ReadAsync(string budgetId, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces the budget's document if its version is still <paramref name="expectedVersion"/> (null: only if there is no
    /// document yet). Returns the new version, or null when another writer came first; throws for any other failure.
    /// </summary>
    /// <param name="budgetId">Names the budget, as for <see cref="ReadAsync"/>.</param>
    /// <param name="content">The new document.</param>
    /// <param name="expectedVersion">The version that was read, or null for a first write.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    Task<string?> TryReplaceAsync(string budgetId, ReadOnlyMemory<byte> content, string? expectedVersion, CancellationToken cancellationToken);
}

/// <summary>A budget document as stored, with the version (ETag) a replacement must name.</summary>
/// <param name="Content">The document.</param>
/// <param name="Version">Its version; opaque to the library.</param>
public sealed record SailPointStoredRateBudget(ReadOnlyMemory<byte> Content, string Version);
