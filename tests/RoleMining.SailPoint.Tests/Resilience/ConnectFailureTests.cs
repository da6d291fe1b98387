using System.Net;
using System.Net.Http;
using Microsoft.Extensions.DependencyInjection;
using RoleMining.SailPoint.Tests.Infrastructure;

namespace RoleMining.SailPoint.Tests.Resilience;

/// <summary>A tenant that cannot be reached at all fails after a short, documented budget rather than the full retry budget.</summary>
public sealed class ConnectFailureTests
{
    [Fact]
    public async Task A_refused_connection_is_tried_once_more_then_fails_as_unreachable()
    {
        var handler = new StubHandler { Token = (_, _) => throw new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused") };
        using var client = TestClients.Create(handler, options => options.Retry.MaxRetryAttempts = 5);

        var failure = await Assert.ThrowsAsync<SailPointException>(() => client.GetSessionStatusAsync("s1"));

        Assert.Equal(SailPointErrorKind.Transport, failure.Kind);
        Assert.Equal(1 + new SailPointRetryOptions().MaxConnectRetryAttempts, handler.TokenCalls);
        Assert.Equal(1, new SailPointRetryOptions().MaxConnectRetryAttempts);
    }

    [Fact]
    public async Task A_host_name_that_does_not_resolve_is_not_retried()
    {
        var handler = new StubHandler { Token = (_, _) => throw new HttpRequestException(HttpRequestError.NameResolutionError, "Name or service not known") };
        using var client = TestClients.Create(handler, options => options.Retry.MaxRetryAttempts = 5);

        await Assert.ThrowsAsync<SailPointException>(() => client.GetSessionStatusAsync("s1"));

        Assert.Equal(1, handler.TokenCalls);
    }

    [Fact]
    public async Task The_failure_says_what_went_wrong_on_the_wire_also_behind_a_wrapper_that_points_inward()
    {
        var unresolved = new StubHandler { Token = (_, _) => throw new HttpRequestException(HttpRequestError.NameResolutionError, "Name or service not known (no-such-host.invalid:443)") };
        var handshake = new StubHandler
        {
            Token = (_, index) => Task.FromResult(StubHandler.TokenResponse($"token-{index}", 3600)),
            Api = (_, _) => throw new HttpRequestException(
                HttpRequestError.SecureConnectionError,
                "The SSL connection could not be established, see inner exception.",
                new System.Security.Authentication.AuthenticationException("Cannot determine the frame size or a corrupted frame was received.")),
        };
        using var unresolvedClient = TestClients.Create(unresolved, options => options.CircuitBreaker.Enabled = false);
        using var handshakeClient = TestClients.Create(handshake, options => { options.Retry.MaxRetryAttempts = 0; options.CircuitBreaker.Enabled = false; });

        var token = await Assert.ThrowsAsync<SailPointException>(() => unresolvedClient.GetSessionStatusAsync("s1"));
        var api = await Assert.ThrowsAsync<SailPointException>(() => handshakeClient.GetSessionStatusAsync("s1"));

        Assert.Contains("the token endpoint could not be reached: Name or service not known (no-such-host.invalid:443)", token.Message, StringComparison.Ordinal);
        Assert.Contains("Cannot determine the frame size", api.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("see inner exception", api.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_API_call_that_cannot_connect_uses_the_connect_budget_while_other_failures_keep_the_full_one()
    {
        var refused = new StubHandler { Api = (_, _) => throw new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused") };
        var failing = new StubHandler { Api = (_, _) => Task.FromResult(StubHandler.Json(HttpStatusCode.BadGateway, "{}")) };
        using var refusedClient = TestClients.Create(refused, options => { options.Retry.MaxRetryAttempts = 4; options.Retry.MaxConnectRetryAttempts = 2; options.CircuitBreaker.Enabled = false; });
        using var failingClient = TestClients.Create(failing, options => { options.Retry.MaxRetryAttempts = 4; options.CircuitBreaker.Enabled = false; });

        await Assert.ThrowsAsync<SailPointException>(() => refusedClient.GetSessionStatusAsync("s1"));
        await Assert.ThrowsAsync<SailPointException>(() => failingClient.GetSessionStatusAsync("s1"));

        Assert.Equal(3, refused.ApiCalls);
        Assert.Equal(5, failing.ApiCalls);
    }

    public static TheoryData<string, bool> StartFailures() => new()
    {
        { "token endpoint refused the connection", true },
        { "token endpoint timed out", true },
        { "API refused the connection", true },
        { "API connect timed out", true },
        { "429, then the API refused the connection", true },
        { "429 until the retries ran out", true },
        { "token endpoint answered 503", true },
        { "API answered 503", false },
        { "API reset the connection after the request", false },
        { "API did not answer in time", false },
    };

    [Theory]
    [MemberData(nameof(StartFailures))]
    public async Task Starting_an_export_says_whether_the_service_can_have_processed_the_request(string failure, bool notProcessed)
    {
        // What the export workflow needs to know before it sends a POST again: only a request that never reached the
        // service (or was answered 429 or 401) can be re-sent without the risk of a second export.
        var handler = new StubHandler
        {
            Token = failure switch
            {
                "token endpoint refused the connection" => (_, _) => throw new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused"),
                "token endpoint timed out" => (_, _) => throw new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout.", new TimeoutException()),
                "token endpoint answered 503" => (_, _) => Task.FromResult(StubHandler.Json(HttpStatusCode.ServiceUnavailable, "{}")),
                _ => (_, index) => Task.FromResult(StubHandler.TokenResponse($"token-{index}", 3600)),
            },
            Api = failure switch
            {
                "API refused the connection" => (_, _) => throw new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused"),
                // What SocketsHttpHandler throws when its ConnectTimeout expires.
                "API connect timed out" => (_, _) => throw new TaskCanceledException("A connection could not be established within the configured ConnectTimeout.", new TimeoutException()),
                "429 until the retries ran out" => (_, _) => Task.FromResult(StubHandler.Json(HttpStatusCode.TooManyRequests, "{}")),
                "API answered 503" => (_, _) => Task.FromResult(StubHandler.Json(HttpStatusCode.ServiceUnavailable, "{}")),
                "429, then the API refused the connection" => (_, index) => index == 0
                    ? Task.FromResult(StubHandler.Json(HttpStatusCode.TooManyRequests, "{}"))
                    : throw new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused"),
                "API reset the connection after the request" => (_, _) => throw new HttpRequestException(HttpRequestError.ResponseEnded, "The response ended prematurely."),
                _ => async (_, _) =>
                {
                    await Task.Delay(TimeSpan.FromSeconds(5));
                    return StubHandler.Json(HttpStatusCode.Accepted, "{}");
                },
            },
        };
        using var client = TestClients.Create(handler, options =>
        {
            options.Timeouts.Attempt = TimeSpan.FromMilliseconds(200);
            options.Timeouts.Total = TimeSpan.FromSeconds(2);
            options.Retry.BaseDelay = TimeSpan.FromMilliseconds(1);
            options.CircuitBreaker.Enabled = false;
        });

        var thrown = await Assert.ThrowsAsync<SailPointException>(() => client.StartExportAsync("s1", "p1", new Models.PotentialRoleExportRequest()));

        Assert.Equal(notProcessed, thrown.NotProcessed);
    }

    [Fact]
    public void The_registered_handlers_have_the_configured_connect_timeout()
    {
        var services = new ServiceCollection();
        services.AddSailPointRoleMining(options =>
        {
            options.BaseUrl = new Uri("https://acme.api.identitynow.com");
            options.ClientId = "client";
            options.ClientSecret = TestClients.Secret;
            options.Timeouts.Connect = TimeSpan.FromSeconds(3);
        });
        using var provider = services.BuildServiceProvider();
        var factory = provider.GetRequiredService<IHttpMessageHandlerFactory>();

        foreach (var name in new[] { SailPointHttpClientNames.Api, SailPointHttpClientNames.Token })
        {
            HttpMessageHandler handler = factory.CreateHandler(name);
            while (handler is DelegatingHandler delegating)
            {
                handler = delegating.InnerHandler!;
            }

            Assert.Equal(TimeSpan.FromSeconds(3), Assert.IsType<SocketsHttpHandler>(handler).ConnectTimeout);
        }
    }

    [Fact]
    public void The_connect_budget_is_validated()
    {
        var options = TestClients.Options(options =>
        {
            options.Timeouts.Connect = TimeSpan.Zero;
            options.Retry.MaxConnectRetryAttempts = -1;
        });

        var result = new RoleMiningClientOptionsValidator().Validate(null, options);

        Assert.Contains(result.Failures!, failure => failure.Contains("SailPoint:Timeouts:Connect", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, failure => failure.Contains("SailPoint:Retry:MaxConnectRetryAttempts", StringComparison.Ordinal));
    }
}
