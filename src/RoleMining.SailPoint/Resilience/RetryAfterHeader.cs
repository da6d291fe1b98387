using System.Globalization;
using System.Net.Http.Headers;

namespace RoleMining.SailPoint.Resilience;

/// <summary>Reads <c>Retry-After</c> (RFC 9110 §10.2.3): delta-seconds or an HTTP date.</summary>
internal static class RetryAfterHeader
{
    /// <summary>
    /// The longest advice taken as given; anything longer reads as this. Far beyond any rate-limit window (SailPoint's are
    /// seconds long), and it keeps absurd values ("99999999999999999999", a date in the year 9999) from overflowing the
    /// clocks they are added to.
    /// </summary>
    public static readonly TimeSpan Longest = TimeSpan.FromDays(1);

    public static TimeSpan? Read(HttpResponseMessage response, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(response);
        var now = timeProvider.GetUtcNow();
        if (response.Headers.RetryAfter is { } parsed)
        {
            return FromHeaderValue(parsed, now);
        }

        // HttpHeaders rejects non-integer delta-seconds ("1.5"); some gateways send them.
        return response.Headers.NonValidated.TryGetValues("Retry-After", out var raw) && raw.Count > 0
            ? Parse(raw.ToString(), now)
            : null;
    }

    /// <summary>Parses a header value; a date in the past means "now", anything unreadable means "no advice".</summary>
    public static TimeSpan? Parse(string? value, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        if (RetryConditionHeaderValue.TryParse(value, out var parsed))
        {
            return FromHeaderValue(parsed, now);
        }

        return double.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds) && double.IsFinite(seconds)
            ? TimeSpan.FromSeconds(Math.Clamp(seconds, 0, Longest.TotalSeconds))
            : null;
    }

    private static TimeSpan? FromHeaderValue(RetryConditionHeaderValue value, DateTimeOffset now)
    {
        var wait = value.Delta ?? (value.Date is { } date ? date - now : null);
        return wait is { } advice ? TimeSpan.FromTicks(Math.Clamp(advice.Ticks, 0, Longest.Ticks)) : null;
    }
}
