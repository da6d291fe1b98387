using System.Text.RegularExpressions;

namespace RoleMining.Api.Validation;

/// <summary>
/// The id formats the API accepts. ISC ids are UUIDs (sessions, potential roles) or 32 hexadecimal characters (most other
/// objects); export job ids are 32 lowercase hexadecimal characters. Anything else is refused before a call is made, so
/// a path like <c>../x</c> or a 10 KB segment never reaches SailPoint or a store. The patterns end with <c>\z</c>, not
/// <c>$</c>, which would also match before a final line feed.
/// </summary>
public static partial class ApiIds
{
    /// <summary>Whether <paramref name="id"/> is an ISC id: a UUID (with hyphens) or 32 hexadecimal characters.</summary>
    public static bool IsSailPointId(string? id) => id is not null && SailPointId().IsMatch(id);

    /// <summary>Whether <paramref name="id"/> is an export job id or batch id: 32 hexadecimal characters.</summary>
    public static bool IsJobId(string? id) => id is not null && JobId().IsMatch(id);

    /// <summary>Whether <paramref name="name"/> is a plain file name: letters, digits, '.', '_', '-', starting with a letter or digit.</summary>
    public static bool IsFileName(string? name) => name is not null && FileName().IsMatch(name);

    /// <summary>A job or batch id as stored: lowercase.</summary>
    public static string NormalizeJobId(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        return id.ToLowerInvariant();
    }

    /// <summary>
    /// An ISC id as the API uses it: lowercase. The ids are hexadecimal, so either case names the same object (UUIDs are
    /// read case-insensitively, RFC 9562, and ISC writes them lowercase); one spelling keeps an idempotency key, a batch id
    /// and a job document from taking 'ABC' and 'abc' for two exports.
    /// </summary>
    public static string NormalizeSailPointId(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        return id.ToLowerInvariant();
    }

    [GeneratedRegex(@"^(?:[0-9a-fA-F]{32}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\z", RegexOptions.CultureInvariant)]
    private static partial Regex SailPointId();

    [GeneratedRegex(@"^[0-9a-fA-F]{32}\z", RegexOptions.CultureInvariant)]
    private static partial Regex JobId();

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}\z", RegexOptions.CultureInvariant)]
    private static partial Regex FileName();
}
