using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using RoleMining.SailPoint.Models;
using RoleMining.SailPoint.Tests.Infrastructure;

namespace RoleMining.SailPoint.Tests.Resilience;

public sealed class RetryTests
{
    private const string StatusBody = """{"state":"CREATED"}""";
    private const string ExportBody = """{"exportId":"e1","status":"QUEUED"}""";

    [Theory]
    [InlineData(HttpStatusCode.InternalServerError)]
    [InlineData(HttpStatusCode.BadGateway)]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    [InlineData(HttpStatusCode.GatewayTimeout)]
    [InlineData(HttpStatusCode.RequestTimeout)]
    public async Task A_get_is_retried_after_a_transient_status(HttpStatusCode status)
    {
        var handler = new StubHandler { Api = (_, index) => Task.FromResult(StubHandler.Json(index < 2 ? status : HttpStatusCode.OK, StatusBody)) };
        using var client = TestClients.Create(handler);

        await client.GetSessionStatusAsync("s1");

        Assert.Equal(3, handler.ApiCalls);
    }

    [Fact]
    public async Task A_get_is_retried_after_a_connection_reset()
    {
        var handler = new StubHandler
        {
            Api = (_, index) => index == 0
                ? Task.FromException<HttpResponseMessage>(new HttpRequestException(HttpRequestError.ResponseEnded, "reset", new IOException("Connection reset by peer")))
                : Task.FromResult(StubHandler.Json(HttpStatusCode.OK, StatusBody)),
        };
        using var client = TestClients.Create(handler);

        await client.GetSessionStatusAsync("s1");

        Assert.Equal(2, handler.ApiCalls);
    }

    [Theory]
    [InlineData(HttpStatusCode.BadRequest)]
    [InlineData(HttpStatusCode.Forbidden)]
    [InlineData(HttpStatusCode.NotFound)]
    public async Task Client_errors_are_not_retried(HttpStatusCode status)
    {
        var handler = new StubHandler { Api = (_, _) => Task.FromResult(StubHandler.Json(status, "{}")) };
        using var client = TestClients.Create(handler);

        var failure = await Assert.ThrowsAsync<SailPointException>(() => client.GetSessionStatusAsync("s1"));

        Assert.Equal(status, failure.Status);
        Assert.Equal(1, handler.ApiCalls);
    }

    [Fact]
    public async Task The_retry_budget_ends_with_the_last_status()
    {
        var handler = new StubHandler { Api = (_, _) => Task.FromResult(StubHandler.Json(HttpStatusCode.ServiceUnavailable, "{}")) };
        using var client = TestClients.Create(handler, options => options.Retry.MaxRetryAttempts = 3);

        var failure = await Assert.ThrowsAsync<SailPointException>(() => client.GetSessionStatusAsync("s1"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, failure.Status);
        Assert.Equal(4, handler.ApiCalls);
    }

    [Fact]
    public async Task Retry_after_in_seconds_is_waited_for()
    {
        var clock = FakeClock.Create();
        var handler = new StubHandler
        {
            Clock = clock,
            Api = (_, index) =>
            {
                var response = StubHandler.Json(index == 0 ? HttpStatusCode.TooManyRequests : HttpStatusCode.OK, index == 0 ? """{"message":" Rate Limit Exceeded "}""" : StatusBody);
                if (index == 0)
                {
                    response.Headers.TryAddWithoutValidation("Retry-After", "1");
                }

                return Task.FromResult(response);
            },
        };
        using var client = TestClients.Create(handler, timeProvider: clock);

        var call = client.GetSessionStatusAsync("s1");
        await clock.AdvanceUntilAsync(() => handler.ApiCalls >= 2 || call.IsCompleted);
        await call;

        var times = handler.ApiRequests.Select(request => request.Timestamp).ToList();
        Assert.Equal(2, times.Count);
        var waited = clock.GetElapsedTime(times[0], times[1]);
        Assert.InRange(waited, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Retry_after_as_an_http_date_is_waited_for()
    {
        // Not on a whole second, as the real clock would not be.
        var clock = new FakeTimeProvider(FakeClock.Start.AddMilliseconds(700));
        var handler = new StubHandler
        {
            Clock = clock,
            Api = (_, index) =>
            {
                var response = StubHandler.Json(index == 0 ? HttpStatusCode.TooManyRequests : HttpStatusCode.OK, StatusBody);
                if (index == 0)
                {
                    // Dates have whole seconds: 3 s ahead means a wait of more than 2 s.
                    response.Headers.TryAddWithoutValidation("Retry-After", clock.GetUtcNow().AddSeconds(3).ToString("R", CultureInfo.InvariantCulture));
                }

                return Task.FromResult(response);
            },
        };
        using var client = TestClients.Create(handler, timeProvider: clock);

        var call = client.GetSessionStatusAsync("s1");
        await clock.AdvanceUntilAsync(() => handler.ApiCalls >= 2 || call.IsCompleted);
        await call;

        var times = handler.ApiRequests.Select(request => request.Timestamp).ToList();
        Assert.InRange(clock.GetElapsedTime(times[0], times[1]), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(12));
    }

    [Theory]
    [InlineData("600", 600)]
    [InlineData("99999999999999999999", 86_400)] // was an OverflowException out of the client
    public async Task Retry_after_beyond_the_budget_fails_at_once_with_the_advice(string header, int expectedSeconds)
    {
        var handler = new StubHandler
        {
            Api = (_, _) =>
            {
                var response = StubHandler.Json(HttpStatusCode.TooManyRequests, """{"message":"Rate Limit Exceeded"}""");
                response.Headers.TryAddWithoutValidation("Retry-After", header);
                return Task.FromResult(response);
            },
        };
        using var client = TestClients.Create(handler, options => options.Retry.MaxRetryAfter = TimeSpan.FromSeconds(30));

        var failure = await Assert.ThrowsAsync<SailPointException>(() => client.GetSessionStatusAsync("s1"));

        Assert.True(failure.IsRateLimited);
        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), failure.RetryAfter);
        Assert.Equal("Rate Limit Exceeded", Assert.Single(failure.Messages).Text);
        Assert.Equal(1, handler.ApiCalls);
    }

    [Fact]
    public async Task Export_creation_is_retried_after_429_because_the_service_did_not_accept_it()
    {
        var handler = new StubHandler
        {
            Api = (_, index) =>
            {
                var response = StubHandler.Json(index == 0 ? HttpStatusCode.TooManyRequests : HttpStatusCode.Accepted, index == 0 ? "{}" : ExportBody);
                response.Headers.TryAddWithoutValidation("Retry-After", "0");
                return Task.FromResult(response);
            },
        };
        using var client = TestClients.Create(handler);

        var export = await client.StartExportAsync("s1", "p1", new PotentialRoleExportRequest { MinEntitlementPopularity = 10 });

        Assert.Equal("e1", export.ExportId);
        Assert.Equal(2, handler.ApiCalls);
        Assert.All(handler.ApiRequests, request => Assert.Contains("\"minEntitlementPopularity\":10", request.Body, StringComparison.Ordinal));

        // Each attempt's body has its length: a chunked request body is refused by some gateways (411), and the
        // SailPoint SDKs send a Content-Length.
        Assert.All(handler.ApiRequests, request => Assert.Equal(Encoding.UTF8.GetByteCount(request.Body!), request.ContentLength));
        Assert.All(handler.ApiRequests, request => Assert.Equal("application/json; charset=utf-8", request.ContentType));
    }

    [Fact]
    public async Task Export_creation_is_retried_when_the_connection_was_never_established()
    {
        var handler = new StubHandler
        {
            Api = (_, index) => index == 0
                ? Task.FromException<HttpResponseMessage>(new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused"))
                : Task.FromResult(StubHandler.Json(HttpStatusCode.Accepted, ExportBody)),
        };
        using var client = TestClients.Create(handler);

        await client.StartExportAsync("s1", "p1", new PotentialRoleExportRequest());

        Assert.Equal(2, handler.ApiCalls);
    }

    [Fact]
    public async Task Export_creation_is_not_retried_after_a_5xx()
    {
        var handler = new StubHandler { Api = (_, _) => Task.FromResult(StubHandler.Json(HttpStatusCode.BadGateway, "{}")) };
        using var client = TestClients.Create(handler);

        var failure = await Assert.ThrowsAsync<SailPointException>(() => client.StartExportAsync("s1", "p1", new PotentialRoleExportRequest()));

        Assert.Equal(HttpStatusCode.BadGateway, failure.Status);
        Assert.Equal(1, handler.ApiCalls);
    }

    [Fact]
    public async Task Export_creation_is_not_retried_after_a_reset_mid_request()
    {
        var handler = new StubHandler
        {
            Api = (_, _) => Task.FromException<HttpResponseMessage>(
                new HttpRequestException(HttpRequestError.ResponseEnded, "The response ended prematurely.", new IOException("reset"))),
        };
        using var client = TestClients.Create(handler);

        var failure = await Assert.ThrowsAsync<SailPointException>(() => client.StartExportAsync("s1", "p1", new PotentialRoleExportRequest()));

        Assert.Equal(SailPointErrorKind.Transport, failure.Kind);
        Assert.Null(failure.Status);
        Assert.Equal(1, handler.ApiCalls);
    }

    [Fact]
    public async Task Export_creation_is_not_retried_after_an_attempt_timeout()
    {
        var clock = FakeClock.Create();
        var handler = new StubHandler
        {
            Api = async (_, _) =>
            {
                await Task.Delay(TimeSpan.FromSeconds(5), clock);
                return StubHandler.Json(HttpStatusCode.Accepted, ExportBody);
            },
        };
        using var client = TestClients.Create(handler, options => options.Timeouts.Attempt = TimeSpan.FromMilliseconds(200), timeProvider: clock);

        var call = client.StartExportAsync("s1", "p1", new PotentialRoleExportRequest());
        await clock.AdvanceUntilAsync(() => call.IsCompleted);
        var failure = await Assert.ThrowsAsync<SailPointException>(() => call);

        Assert.Equal(SailPointErrorKind.Timeout, failure.Kind);
        Assert.Equal(1, handler.ApiCalls);
    }

    [Fact]
    public async Task A_get_that_times_out_is_tried_again()
    {
        var clock = FakeClock.Create();
        var handler = new StubHandler
        {
            Api = async (_, index) =>
            {
                if (index == 0)
                {
                    await Task.Delay(TimeSpan.FromSeconds(5), clock);
                }

                return StubHandler.Json(HttpStatusCode.OK, StatusBody);
            },
        };
        using var client = TestClients.Create(handler, options => options.Timeouts.Attempt = TimeSpan.FromMilliseconds(200), timeProvider: clock);

        var call = client.GetSessionStatusAsync("s1");

        // Time moves until the second attempt is sent, not after: its answer needs none, and time passing while it
        // travels through the pipeline on a busy machine would time it out too.
        await clock.AdvanceUntilAsync(() => handler.ApiCalls >= 2 || call.IsCompleted);
        await call;

        Assert.Equal(2, handler.ApiCalls);
    }

    [Fact]
    public async Task The_total_budget_ends_retries()
    {
        var clock = FakeClock.Create();
        var handler = new StubHandler { Api = (_, _) => Task.FromResult(StubHandler.Json(HttpStatusCode.ServiceUnavailable, "{}")) };
        using var client = TestClients.Create(
            handler,
            options =>
            {
                options.Retry.MaxRetryAttempts = 50;
                options.Retry.BaseDelay = TimeSpan.FromMilliseconds(200);
                options.Retry.MaxDelay = TimeSpan.FromMilliseconds(200);
                options.Timeouts.Attempt = TimeSpan.FromMilliseconds(500);
                options.Timeouts.Total = TimeSpan.FromSeconds(1);
                options.CircuitBreaker.Enabled = false;
            },
            timeProvider: clock);

        var call = client.GetSessionStatusAsync("s1");

        // Small steps: the 200 ms retry delay is five of them, so a retry slowed by a busy machine still starts well
        // inside the second of budget.
        await clock.AdvanceUntilAsync(() => call.IsCompleted, step: TimeSpan.FromMilliseconds(10));
        var failure = await Assert.ThrowsAsync<SailPointException>(() => call);

        Assert.Equal(SailPointErrorKind.Timeout, failure.Kind);
        Assert.InRange(handler.ApiCalls, 2, 49);
    }

    [Fact]
    public async Task A_transient_token_endpoint_failure_is_retried_even_for_export_creation()
    {
        var handler = new StubHandler
        {
            Api = (_, _) => Task.FromResult(StubHandler.Json(HttpStatusCode.Accepted, ExportBody)),
            Token = (_, index) => Task.FromResult(index == 0
                ? StubHandler.Json(HttpStatusCode.ServiceUnavailable, "{}")
                : StubHandler.TokenResponse("token-2", 3600)),
        };
        using var client = TestClients.Create(handler);

        await client.StartExportAsync("s1", "p1", new PotentialRoleExportRequest());

        Assert.Equal(2, handler.TokenCalls);
        Assert.Equal(1, handler.ApiCalls);
    }
}
