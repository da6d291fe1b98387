using System.Globalization;

namespace RoleMining.SailPoint.Tests.RateLimiting;

/// <summary>A budget store in memory with the semantics of a conditional blob write: the version must match, or be
/// absent for the first write (count its calls with RoleMining.Testing's CountingRateBudgetStore).</summary>
internal sealed class InMemoryRateBudgetStore : ISailPointRateBudgetStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (byte[] Content, int Version)> _documents = new(StringComparer.Ordinal);

    public byte[]? Content(string budgetId)
    {
        lock (_gate)
        {
            return _documents.TryGetValue(budgetId, out var document) ? document.Content : null;
        }
    }

    public Task<SailPointStoredRateBudget?> ReadAsync(string budgetId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_documents.TryGetValue(budgetId, out var document)
                ? new SailPointStoredRateBudget(document.Content.ToArray(), Version(document.Version))
                : null);
        }
    }

    public Task<string?> TryReplaceAsync(string budgetId, ReadOnlyMemory<byte> content, string? expectedVersion, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var exists = _documents.TryGetValue(budgetId, out var current);
            if (expectedVersion is null ? exists : !exists || Version(current.Version) != expectedVersion)
            {
                return Task.FromResult<string?>(null);
            }

            var version = (exists ? current.Version : 0) + 1;
            _documents[budgetId] = (content.ToArray(), version);
            return Task.FromResult<string?>(Version(version));
        }
    }

    private static string Version(int version) => "\"v" + version.ToString(CultureInfo.InvariantCulture) + "\"";
}
