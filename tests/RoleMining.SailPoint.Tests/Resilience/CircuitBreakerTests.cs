using System.Net;
using RoleMining.SailPoint.Tests.Infrastructure;

namespace RoleMining.SailPoint.Tests.Resilience;

public sealed class CircuitBreakerTests
{
    [Fact]
    public async Task A_failing_tenant_opens_the_circuit_and_is_no_longer_called()
    {
        var handler = new StubHandler { Api = (_, _) => Task.FromResult(StubHandler.Json(HttpStatusCode.InternalServerError, "{}")) };
        using var client = OpeningAfter(handler, failures: 4);

        for (var i = 0; i < 4; i++)
        {
            var failure = await Assert.ThrowsAsync<SailPointException>(() => client.GetSessionStatusAsync("s1"));
            Assert.Equal(HttpStatusCode.InternalServerError, failure.Status);
        }

        var callsWhenOpened = handler.ApiCalls;
        for (var i = 0; i < 10; i++)
        {
            var failure = await Assert.ThrowsAsync<SailPointException>(() => client.GetSessionStatusAsync("s1"));
            Assert.Equal(SailPointErrorKind.CircuitOpen, failure.Kind);
            Assert.Contains("circuit breaker is open", failure.Message, StringComparison.Ordinal);
            // What is left of the one-minute break: when a retry can go through.
            Assert.InRange(failure.RetryAfter.GetValueOrDefault(), TimeSpan.FromSeconds(50), TimeSpan.FromMinutes(1));
        }

        Assert.Equal(4, callsWhenOpened);
        Assert.Equal(callsWhenOpened, handler.ApiCalls);
    }

    [Fact]
    public async Task A_call_refused_by_the_open_circuit_names_the_SailPoint_error_that_opened_it()
    {
        var handler = new StubHandler
        {
            Api = (_, index) => Task.FromResult(StubHandler.Json(
                index < 3 ? HttpStatusCode.BadGateway : HttpStatusCode.InternalServerError,
                $$"""{"detailCode":"500.0 Internal Fault","trackingId":"tracking-{{index}}","messages":[{"locale":"en-US","localeOrigin":"DEFAULT","text":"Fault number {{index}}"}],"causes":[]}""")),
        };
        using var client = OpeningAfter(handler, failures: 4);
        for (var i = 0; i < 4; i++)
        {
            await Assert.ThrowsAsync<SailPointException>(() => client.GetSessionStatusAsync("s1"));
        }

        var refused = await Assert.ThrowsAsync<SailPointException>(() => client.GetPotentialRoleSummaryAsync("s2", "r2"));

        // The fourth failure (index 3) reached the minimum throughput and opened the circuit: that one is named.
        Assert.Equal(SailPointErrorKind.CircuitOpen, refused.Kind);
        Assert.Null(refused.Status);
        var cause = Assert.IsType<SailPointErrorDetails>(refused.CircuitOpenedBy);
        Assert.Equal(HttpStatusCode.InternalServerError, cause.Status);
        Assert.Equal("tracking-3", cause.TrackingId);
        Assert.Equal("500.0 Internal Fault", cause.DetailCode);
        Assert.Equal("getRoleMiningSessionStatus", cause.OperationId);
        Assert.Equal("s1", cause.ResourceId);
        Assert.Contains("circuit breaker is open", refused.Message, StringComparison.Ordinal);
        Assert.Contains("HTTP 500", refused.Message, StringComparison.Ordinal);
        Assert.Contains("trackingId tracking-3", refused.Message, StringComparison.Ordinal);
        Assert.Contains("Fault number 3", refused.Message, StringComparison.Ordinal);
        Assert.Equal(4, handler.ApiCalls);
    }

    [Fact]
    public async Task A_circuit_opened_by_broken_connections_names_the_transport_failure()
    {
        var handler = new StubHandler { Api = (_, _) => throw new HttpRequestException("The connection was reset.", null, HttpStatusCode.BadGateway) };
        using var client = OpeningAfter(handler, failures: 2);
        for (var i = 0; i < 2; i++)
        {
            await Assert.ThrowsAsync<SailPointException>(() => client.GetSessionStatusAsync("s1"));
        }

        var refused = await Assert.ThrowsAsync<SailPointException>(() => client.GetSessionStatusAsync("s1"));

        Assert.Equal(SailPointErrorKind.CircuitOpen, refused.Kind);
        var cause = Assert.IsType<SailPointErrorDetails>(refused.CircuitOpenedBy);
        Assert.Equal(SailPointErrorKind.Transport, cause.Kind);
        Assert.Contains("The connection was reset.", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Client_errors_and_429_do_not_open_the_circuit()
    {
        var handler = new StubHandler
        {
            Api = (_, index) => Task.FromResult(StubHandler.Json(index % 2 == 0 ? HttpStatusCode.NotFound : HttpStatusCode.TooManyRequests, "{}")),
        };
        using var client = TestClients.Create(handler, options =>
        {
            options.Retry.MaxRetryAttempts = 0;
            options.CircuitBreaker.MinimumThroughput = 2;
        });

        for (var i = 0; i < 10; i++)
        {
            var failure = await Assert.ThrowsAsync<SailPointException>(() => client.GetSessionStatusAsync("s1"));
            Assert.NotEqual(SailPointErrorKind.CircuitOpen, failure.Kind);
        }

        Assert.Equal(10, handler.ApiCalls);
    }

    /// <summary>A client without retries whose circuit opens once <paramref name="failures"/> calls in a row failed, for a minute.</summary>
    private static RoleMiningClient OpeningAfter(StubHandler handler, int failures) => TestClients.Create(handler, options =>
    {
        options.Retry.MaxRetryAttempts = 0;
        options.CircuitBreaker.MinimumThroughput = failures;
        options.CircuitBreaker.FailureRatio = 0.5;
        options.CircuitBreaker.BreakDuration = TimeSpan.FromMinutes(1);
    });
}
