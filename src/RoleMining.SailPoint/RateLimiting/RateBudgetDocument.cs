using System.Text.Json;
using System.Text.Json.Serialization;

namespace RoleMining.SailPoint.RateLimiting;

/// <summary>
/// The shared budget as stored: the claims of the last window (each a time, a number of permits and the group they
/// count against) and the pause a 429 asked for. Nothing in it belongs to an instance for longer than a window, so an
/// instance that dies holds nothing: its claims simply age out.
/// </summary>
internal sealed class RateBudgetDocument
{
    [JsonPropertyName("pausedUntil")]
    public DateTimeOffset? PausedUntil { get; set; }

    [JsonPropertyName("claims")]
    public List<RateBudgetClaim> Claims { get; set; } = [];

    public static RateBudgetDocument Read(ReadOnlySpan<byte> content)
    {
        try
        {
            return JsonSerializer.Deserialize(content, RateBudgetJsonContext.Default.RateBudgetDocument) ?? new RateBudgetDocument();
        }
        catch (JsonException)
        {
            // Not ours, or from an incompatible version: starting over forgets at most one window of claims, which the
            // first 429 (and its pause) would then correct.
            return new RateBudgetDocument();
        }
    }

    public byte[] ToBytes() => JsonSerializer.SerializeToUtf8Bytes(this, RateBudgetJsonContext.Default.RateBudgetDocument);

    /// <summary>Drops the claims no time from <paramref name="now"/> on can share a window with.</summary>
    public void Prune(DateTimeOffset now, TimeSpan longestSpan) =>
        Claims.RemoveAll(claim => claim.At <= now - longestSpan);

    /// <summary>The budget's log (every claim), or one group's log, as of this document.</summary>
    public void Fill(SlidingLog log, string? group)
    {
        ArgumentNullException.ThrowIfNull(log);
        foreach (var claim in Claims)
        {
            if (group is null || string.Equals(claim.Group, group, StringComparison.Ordinal))
            {
                log.Add(claim.At.UtcTicks, claim.Count);
            }
        }
    }
}

/// <summary>Permits claimed by one instance at once, usable from <see cref="At"/> for the claim lifetime.</summary>
internal sealed class RateBudgetClaim
{
    [JsonPropertyName("id")]
    public string Id { get; set; } = "";

    [JsonPropertyName("at")]
    public DateTimeOffset At { get; set; }

    [JsonPropertyName("n")]
    public int Count { get; set; }

    [JsonPropertyName("g")]
    public string Group { get; set; } = "";
}

[JsonSerializable(typeof(RateBudgetDocument))]
internal sealed partial class RateBudgetJsonContext : JsonSerializerContext;
