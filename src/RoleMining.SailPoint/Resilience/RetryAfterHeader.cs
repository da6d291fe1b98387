using System.Globalization;
using System.Net.Http.Headers;

namespace RoleMining.SailPoint.Resilience;

/// <summary>Reads <c>Retry-After</c> (RFC 9110 §10.2.3): delta-seconds or an HTTP date.</summary>
internal static class RetryAfterHeader
{
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
            ? TimeSpan.FromSeconds(Math.Max(seconds, 0))
            : null;
    }

    private static TimeSpan? FromHeaderValue(RetryConditionHeaderValue value, DateTimeOffset now)
    {
        if (value.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }

        if (value.Date is { } date)
        {
            var wait = date - now;
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }

        return null;
    }
}
