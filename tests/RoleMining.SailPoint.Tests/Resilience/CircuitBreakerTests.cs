using System.Net;
using RoleMining.SailPoint.Tests.Infrastructure;

namespace RoleMining.SailPoint.Tests.Resilience;

public sealed class CircuitBreakerTests
{
    [Fact]
    public async Task A_failing_tenant_opens_the_circuit_and_is_no_longer_called()
    {
        var handler = new StubHandler { Api = (_, _) => Task.FromResult(StubHandler.Json(HttpStatusCode.InternalServerError, "{}")) };
        using var client = TestClients.Create(handler, options =>
        {
            options.Retry.MaxRetryAttempts = 0;
            options.CircuitBreaker.MinimumThroughput = 4;
            options.CircuitBreaker.FailureRatio = 0.5;
            options.CircuitBreaker.BreakDuration = TimeSpan.FromMinutes(1);
        });

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
        }

        Assert.Equal(4, callsWhenOpened);
        Assert.Equal(callsWhenOpened, handler.ApiCalls);
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
}
