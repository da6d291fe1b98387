using System.Globalization;

namespace RoleMining.Time;

/// <summary>
/// Reads an RFC 3339 date-time strictly (a date, T, a time, Z or an offset; T and Z in either case) with a fraction of
/// any length, as RFC 3339 allows: .NET's format strings read at most seven fraction digits (100 ns), so digits beyond
/// the seventh are dropped before the parse. Hand-written because no .NET parser takes exactly RFC 3339: the round-trip
/// format "O" needs seven digits, and a lenient parse takes dates without a zone. Compiled into each assembly that needs it
/// (linked from <c>src/Shared</c>): the emulator references no project of this solution.
/// </summary>
internal static class Rfc3339
{
    private const int MaxFractionDigits = 7;

    // "yyyy-MM-ddTHH:mm:ss" is 19 characters; a fraction, if any, starts right after it.
    private const int FractionStart = 19;

    private static readonly string[] Formats =
    [
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'z'",
        "yyyy-MM-dd't'HH:mm:ss.FFFFFFFzzz", "yyyy-MM-dd't'HH:mm:ss.FFFFFFF'Z'", "yyyy-MM-dd't'HH:mm:ss.FFFFFFF'z'",
    ];

    /// <summary>Whether <paramref name="text"/> is an RFC 3339 date-time, and its value (to 100 ns).</summary>
    public static bool TryParse(string text, out DateTimeOffset value)
    {
        ArgumentNullException.ThrowIfNull(text);
        return DateTimeOffset.TryParseExact(WithAtMostSevenFractionDigits(text), Formats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out value);
    }

    private static string WithAtMostSevenFractionDigits(string text)
    {
        if (text.Length <= FractionStart + 1 + MaxFractionDigits || text[FractionStart] != '.')
        {
            return text;
        }

        var digits = 0;
        while (FractionStart + 1 + digits < text.Length && char.IsAsciiDigit(text[FractionStart + 1 + digits]))
        {
            digits++;
        }

        return digits <= MaxFractionDigits
            ? text
            : string.Concat(text.AsSpan(0, FractionStart + 1 + MaxFractionDigits), text.AsSpan(FractionStart + 1 + digits));
    }
}
