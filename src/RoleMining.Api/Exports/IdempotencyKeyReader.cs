using Microsoft.AspNetCore.Http;
using RoleMining.Api.Validation;

namespace RoleMining.Api.Exports;

/// <summary>
/// Reads the <c>Idempotency-Key</c> header (IETF draft <c>httpapi-idempotency-key-header</c>): a structured-field string,
/// <c>"..."</c>, or the bare value many clients send. 1 to 255 visible ASCII characters.
/// </summary>
public static class IdempotencyKeyReader
{
    /// <summary>The header name.</summary>
    public const string HeaderName = "Idempotency-Key";

    /// <summary>The longest key accepted.</summary>
    public const int MaxLength = 250;

    /// <summary>The key, or null when absent or invalid (recorded in <paramref name="errors"/>).</summary>
    public static string? Read(HttpRequest request, RequestErrors errors)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(errors);
        if (!request.Headers.TryGetValue(HeaderName, out var values) || values.Count == 0)
        {
            return null;
        }

        if (values.Count > 1)
        {
            errors.Add(HeaderName, "Give one Idempotency-Key.");
            return null;
        }

        var key = (values[0] ?? string.Empty).Trim();
        if (key.Length >= 2 && key[0] == '"' && key[^1] == '"')
        {
            key = key[1..^1];
        }

        if (key.Length is 0 or > MaxLength || key.Any(c => c is < '\u0020' or > '\u007e'))
        {
            errors.Add(HeaderName, $"The Idempotency-Key must be 1 to {MaxLength} visible ASCII characters (a UUID is a good choice).");
            return null;
        }

        return key;
    }
}
