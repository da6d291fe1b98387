using System.Globalization;
using System.Net;
using RoleMining.SailPoint.Resilience;

namespace RoleMining.SailPoint.Tests.Resilience;

public sealed class RetryAfterHeaderTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("0", 0)]
    [InlineData("1", 1)]
    [InlineData("120", 120)]
    [InlineData("2.5", 2.5)]
    public void Delta_seconds_are_read_as_the_wait(string header, double expectedSeconds) =>
        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), RetryAfterHeader.Parse(header, Now));

    [Fact]
    public void An_http_date_is_read_as_the_time_until_then()
    {
        var header = Now.AddSeconds(42).ToString("R", CultureInfo.InvariantCulture);

        Assert.Equal(TimeSpan.FromSeconds(42), RetryAfterHeader.Parse(header, Now));
    }

    [Fact]
    public void A_date_in_the_past_means_no_wait()
    {
        var header = Now.AddMinutes(-5).ToString("R", CultureInfo.InvariantCulture);

        Assert.Equal(TimeSpan.Zero, RetryAfterHeader.Parse(header, Now));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("soon")]
    [InlineData("-3")]
    public void Unreadable_values_give_no_advice(string? header) => Assert.Null(RetryAfterHeader.Parse(header, Now));

    [Theory]
    [InlineData("99999999999999999999")]
    [InlineData("2147483647")]
    [InlineData("Fri, 31 Dec 9999 23:59:59 GMT")]
    public void Advice_beyond_a_day_is_read_as_a_day_and_never_overflows(string header) =>
        Assert.Equal(RetryAfterHeader.Longest, RetryAfterHeader.Parse(header, Now));

    [Fact]
    public void A_huge_value_in_a_response_is_read_as_a_day()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.TryAddWithoutValidation("Retry-After", "99999999999999999999");

        Assert.Equal(TimeSpan.FromDays(1), RetryAfterHeader.Read(response, TimeProvider.System));
    }

    [Fact]
    public void The_header_is_read_from_a_response()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.TryAddWithoutValidation("Retry-After", "7");

        Assert.Equal(TimeSpan.FromSeconds(7), RetryAfterHeader.Read(response, TimeProvider.System));
    }

    [Fact]
    public void A_response_without_the_header_gives_no_advice()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);

        Assert.Null(RetryAfterHeader.Read(response, TimeProvider.System));
    }
}
