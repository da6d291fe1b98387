using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace RoleMining.Api.Validation;

/// <summary>Picks the response media type from <c>Accept</c> (RFC 9110 §12.5.1: quality values, wildcards, specificity).</summary>
public static class ContentNegotiation
{
    /// <summary>JSON, the default of every operation.</summary>
    public const string Json = "application/json";

    /// <summary>CSV, offered by the identities operation.</summary>
    public const string Csv = "text/csv";

    /// <summary>
    /// The first of <paramref name="offered"/> with the highest quality the request's <c>Accept</c> gives it; the first
    /// offered when there is no <c>Accept</c>. Null, with the reason recorded under <c>Accept</c>, when the header cannot be
    /// parsed (400), or when nothing offered is acceptable (recorded as <see cref="RequestErrors.NotAcceptable"/>: 406).
    /// </summary>
    public static string? Choose(HttpRequest request, RequestErrors errors, params string[] offered)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(errors);
        ArgumentNullException.ThrowIfNull(offered);
        var header = request.Headers.Accept;
        if (StringValues.IsNullOrEmpty(header) || header.All(string.IsNullOrWhiteSpace))
        {
            return offered[0];
        }

        if (!MediaTypeHeaderValue.TryParseList(header, out var accepted) || accepted.Count == 0)
        {
            errors.Add(HeaderNames.Accept, "The Accept header cannot be parsed.");
            return null;
        }

        string? best = null;
        var bestQuality = 0d;
        foreach (var candidate in offered)
        {
            var quality = QualityOf(new MediaTypeHeaderValue(candidate), accepted);
            if (quality > bestQuality)
            {
                best = candidate;
                bestQuality = quality;
            }
        }

        if (best is null)
        {
            errors.AddNotAcceptable(HeaderNames.Accept, $"None of the accepted media types is available; this operation produces {string.Join(" or ", offered)}.", offered);
        }

        return best;
    }

    /// <summary>The quality of the most specific <c>Accept</c> entry matching <paramref name="candidate"/> (0 when none).</summary>
    private static double QualityOf(MediaTypeHeaderValue candidate, IList<MediaTypeHeaderValue> accepted)
    {
        var bestSpecificity = -1;
        var quality = 0d;
        foreach (var entry in accepted)
        {
            // Matched on type and subtype: every response is UTF-8, so a charset other than UTF-8 excludes the entry,
            // and any other parameter (header=present, odata=...) is ignored. IsSubsetOf alone would demand that the
            // offered type carry every parameter of the entry, refusing "application/json; charset=utf-8" with a 406.
            if (entry.Charset.HasValue && !IsUtf8(entry.Charset)
                || !candidate.IsSubsetOf(new MediaTypeHeaderValue(entry.MediaType)))
            {
                continue;
            }

            var specificity = entry.MatchesAllTypes ? 0 : entry.MatchesAllSubTypes ? 1 : 2;
            if (specificity > bestSpecificity)
            {
                bestSpecificity = specificity;
                quality = entry.Quality ?? 1d;
            }
        }

        return quality;
    }

    /// <summary>Whether a media type's <c>charset</c> parameter names UTF-8, quoted (<c>"utf-8"</c>, as RFC 9110 allows) or not.</summary>
    internal static bool IsUtf8(StringSegment charset)
    {
        var name = HeaderUtilities.RemoveQuotes(charset);
        return name.Equals("utf-8", StringComparison.OrdinalIgnoreCase) || name.Equals("utf8", StringComparison.OrdinalIgnoreCase);
    }
}
