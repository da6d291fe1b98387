using System.Globalization;
using RoleMining.Testing.RateLimiting;

namespace RoleMining.SailPoint.Tests.RateLimiting;

/// <summary>
/// A budget store in memory with the semantics of a conditional blob write (version must match, or be absent for the
/// first write), counting its calls; optionally makes the first writers race on one version.
/// </summary>
internal sealed class InMemoryRateBudgetStore(ArrivalBarrier? writeBarrier = null) : ISailPointRateBudgetStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (byte[] Content, int Version)> _documents = new(StringComparer.Ordinal);
    private int _reads;
    private int _writes;
    private int _conflicts;

    public int Reads => Volatile.Read(ref _reads);

    public int Writes => Volatile.Read(ref _writes);

    public int Conflicts => Volatile.Read(ref _conflicts);

    public byte[]? Content(string budgetId)
    {
        lock (_gate)
        {
            return _documents.TryGetValue(budgetId, out var document) ? document.Content : null;
        }
    }

    public Task<SailPointStoredRateBudget?> ReadAsync(string budgetId, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _reads);
        lock (_gate)
        {
            return Task.FromResult(_documents.TryGetValue(budgetId, out var document)
                ? new SailPointStoredRateBudget(document.Content.ToArray(), Version(document.Version))
                : null);
        }
    }

    public async Task<string?> TryReplaceAsync(string budgetId, ReadOnlyMemory<byte> content, string? expectedVersion, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _writes);
        if (writeBarrier is not null)
        {
            await writeBarrier.ArriveAsync(cancellationToken);
        }

        lock (_gate)
        {
            var exists = _documents.TryGetValue(budgetId, out var current);
            if (expectedVersion is null ? exists : !exists || Version(current.Version) != expectedVersion)
            {
                Interlocked.Increment(ref _conflicts);
                return null;
            }

            var version = (exists ? current.Version : 0) + 1;
            _documents[budgetId] = (content.ToArray(), version);
            return Version(version);
        }
    }

    private static string Version(int version) => "\"v" + version.ToString(CultureInfo.InvariantCulture) + "\"";
}
