using System.Text.Json;
using System.Text.Json.Serialization;

namespace RoleMining.SailPoint.RateLimiting;

/// <summary>
/// The shared budget as stored: which instance leases how much of it, until when, and how much each would use; and
/// the pause a 429 asked for. Small (one entry per instance that sent lately) and rewritten by every instance when it
/// renews its lease, so no instance leaves anything behind for long: a lease that was not renewed is forgotten one
/// span after it ended.
/// </summary>
internal sealed class RateBudgetDocument
{
    [JsonPropertyName("pausedUntil")]
    public DateTimeOffset? PausedUntil { get; set; }

    [JsonPropertyName("leases")]
    public List<RateBudgetLease> Leases { get; set; } = [];

    /// <summary>
    /// The document in <paramref name="content"/>, without the leases that cannot be this product's (no id, no permit
    /// maps, a count below zero, an id twice), and counts above <paramref name="maxPermits"/> capped at it (an instance
    /// configured with a larger limit still holds what it holds, up to all there is): valid JSON can still hold a null or
    /// a number the split would fail on, and every renewal of every instance would fail on it until the blob were deleted
    /// by hand. What is dropped is rewritten out of the document by the next write.
    /// </summary>
    public static RateBudgetDocument Read(ReadOnlySpan<byte> content, int maxPermits)
    {
        RateBudgetDocument? document;
        try
        {
            document = JsonSerializer.Deserialize(content, RateBudgetJsonContext.Default.RateBudgetDocument);
        }
        catch (JsonException)
        {
            // Not ours, or from an incompatible version: starting over forgets at most the leases of the moment, which
            // the first 429 (and its pause) would then correct.
            return new RateBudgetDocument();
        }

        if (document is null)
        {
            return new RateBudgetDocument();
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        document.Leases = [.. (document.Leases ?? []).Where(lease => lease is { Id: not null, Units: not null, Wants: not null }
            && lease.Units.Values.Concat(lease.Wants.Values).All(count => count >= 0)
            && seen.Add(lease.Id))];
        foreach (var lease in document.Leases)
        {
            lease.Units = Capped(lease.Units, maxPermits);
            lease.Wants = Capped(lease.Wants, maxPermits);
        }

        return document;
    }

    private static Dictionary<string, int> Capped(Dictionary<string, int> counts, int max) =>
        counts.ToDictionary(pair => pair.Key, pair => Math.Min(pair.Value, max), StringComparer.Ordinal);

    public byte[] ToBytes() => JsonSerializer.SerializeToUtf8Bytes(this, RateBudgetJsonContext.Default.RateBudgetDocument);

    /// <summary>Forgets the leases that ended at least <paramref name="span"/> before <paramref name="now"/>: no request
    /// sent under them can share a window with one sent from now on.</summary>
    public void Forget(long now, long span) => Leases.RemoveAll(lease => lease.Until.UtcTicks + span <= now);
}

/// <summary>
/// The share of the budget one instance holds: per permit group, how many of the group's permits per window are its
/// own until <see cref="Until"/>, and how many it would use (so that the others can work out a fair split).
/// </summary>
internal sealed class RateBudgetLease
{
    [JsonPropertyName("id")]
    public string Id { get; set; } = "";

    /// <summary>The instance sends nothing under this lease from this time on, unless it renewed it.</summary>
    [JsonPropertyName("until")]
    public DateTimeOffset Until { get; set; }

    /// <summary>When the instance reads the budget next, at the latest: when what it gives up becomes free.</summary>
    [JsonPropertyName("next")]
    public DateTimeOffset Next { get; set; }

    /// <summary>Permits per window held, by permit group.</summary>
    [JsonPropertyName("units")]
    public Dictionary<string, int> Units { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Permits per window the instance would use, by permit group.</summary>
    [JsonPropertyName("wants")]
    public Dictionary<string, int> Wants { get; set; } = new(StringComparer.Ordinal);

    public int UnitsOf(string group) => Units.GetValueOrDefault(group);

    public int WantOf(string group) => Wants.GetValueOrDefault(group);
}

[JsonSerializable(typeof(RateBudgetDocument))]
internal sealed partial class RateBudgetJsonContext : JsonSerializerContext;
