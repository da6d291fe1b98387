using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace RoleMining.Exports;

/// <summary>Job ids and the ids that become path segments of the artifact layout.</summary>
public static partial class ExportJobIds
{
    /// <summary>A new random job id.</summary>
    public static string NewJobId() => Guid.NewGuid().ToString("N");

    /// <summary>
    /// The job id an idempotency key maps to: a retried request with the same key lands on the same job document, so
    /// create-if-absent in the store is all the de-duplication needed (no separate key index to keep consistent).
    /// <paramref name="scope"/> (<see cref="IExportJobStore.JobIdScope"/>) gives a job store ids of its own; without
    /// one, the ids are those the key alone has always given.
    /// </summary>
    public static string FromIdempotencyKey(string idempotencyKey, string? scope = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(idempotencyKey);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(
            scope is null ? "rolemining-export-job:" + idempotencyKey : "rolemining-export-job:" + scope + "\n" + idempotencyKey));
        return Convert.ToHexStringLower(hash.AsSpan(0, 16));
    }

    /// <summary>
    /// Whether two SailPoint ids name the same object. They are hexadecimal, so letter case does not count: jobs stored
    /// before the API lowercased ids may carry capitals.
    /// </summary>
    public static bool SameSailPointId(string? first, string? second) => string.Equals(first, second, StringComparison.OrdinalIgnoreCase);

    /// <summary>What <see cref="IsSafeSegment"/> accepts, in words, for the messages that refuse an id.</summary>
    public const string SafeSegmentRule = "letters, digits, '.', '_' or '-' (at most 128), starting with a letter or digit";

    /// <summary>Whether <paramref name="id"/> is safe as one path segment (SailPoint ids are UUIDs or 32 hex characters).</summary>
    public static bool IsSafeSegment(string? id) => id is not null && SafeSegment().IsMatch(id);

    /// <summary>Throws unless <paramref name="id"/> is safe as one path segment.</summary>
    public static void ThrowIfUnsafe(string? id, string parameterName)
    {
        if (!IsSafeSegment(id))
        {
            throw new ArgumentException($"'{id}' is not a valid id: use {SafeSegmentRule}.", parameterName);
        }
    }

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}\z", RegexOptions.CultureInvariant)]
    private static partial Regex SafeSegment();
}
