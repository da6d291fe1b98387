using System.Net;
using RoleMining.SailPoint.Tests.Infrastructure;

namespace RoleMining.SailPoint.Tests.Authentication;

public sealed class TokenTests
{
    private static readonly Func<HttpRequestMessage, int, Task<HttpResponseMessage>> StatusOk =
        (_, _) => Task.FromResult(StubHandler.Json(HttpStatusCode.OK, """{"state":"CREATED"}"""));

    [Fact]
    public async Task The_token_request_is_a_client_credentials_form()
    {
        var handler = new StubHandler { Api = StatusOk };
        using var client = TestClients.Create(handler);

        await client.GetSessionStatusAsync("s1");

        var token = Assert.Single(handler.TokenRequests);
        Assert.Equal(HttpMethod.Post, token.Method);
        Assert.Contains("grant_type=client_credentials", token.Body, StringComparison.Ordinal);
        Assert.Contains("client_secret=" + TestClients.Secret, token.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_is_reused_until_it_nears_expiry()
    {
        var handler = new StubHandler { Api = StatusOk };
        using var client = TestClients.Create(handler);

        for (var i = 0; i < 5; i++)
        {
            await client.GetSessionStatusAsync("s1");
        }

        Assert.Equal(1, handler.TokenCalls);
        Assert.All(handler.ApiRequests, request => Assert.Equal("Bearer token-1", request.Authorization));
    }

    [Fact]
    public async Task A_token_is_renewed_before_expires_in_runs_out()
    {
        var clock = new ManualClock();
        var handler = new StubHandler { Api = StatusOk, Token = (_, index) => Task.FromResult(StubHandler.TokenResponse($"token-{index + 1}", 600)) };
        using var client = TestClients.Create(handler, options => options.TokenRenewalMargin = TimeSpan.FromSeconds(60), timeProvider: clock);

        await client.GetSessionStatusAsync("s1");
        clock.Advance(TimeSpan.FromSeconds(530));
        await client.GetSessionStatusAsync("s1");
        clock.Advance(TimeSpan.FromSeconds(15));
        await client.GetSessionStatusAsync("s1");

        // Still 70 s to go at the second call: reused. 55 s to go at the third: inside the 60 s margin, renewed.
        Assert.Equal(["Bearer token-1", "Bearer token-1", "Bearer token-2"], handler.ApiRequests.Select(request => request.Authorization));
    }

    [Fact]
    public async Task Concurrent_callers_share_one_renewal()
    {
        var release = new TaskCompletionSource();
        var handler = new StubHandler
        {
            Api = StatusOk,
            Token = async (_, index) =>
            {
                await release.Task;
                return StubHandler.TokenResponse($"token-{index + 1}", 3600);
            },
        };
        using var client = TestClients.Create(handler);

        var calls = Enumerable.Range(0, 20).Select(_ => client.GetSessionStatusAsync("s1")).ToList();
        await Task.Delay(100);
        release.SetResult();
        await Task.WhenAll(calls);

        Assert.Equal(1, handler.TokenCalls);
        Assert.Equal(20, handler.ApiCalls);
    }

    [Fact]
    public async Task A_401_renews_the_token_once_and_retries_once()
    {
        var handler = new StubHandler
        {
            Api = (request, _) => Task.FromResult(request.Headers.Authorization!.Parameter == "token-1"
                ? StubHandler.Json(HttpStatusCode.Unauthorized, """{"error":"JWT expired"}""")
                : StubHandler.Json(HttpStatusCode.OK, """{"state":"CREATED"}""")),
        };
        using var client = TestClients.Create(handler);

        var status = await client.GetSessionStatusAsync("s1");

        Assert.Equal(Models.RoleMiningSessionState.Created, status.State);
        Assert.Equal(2, handler.TokenCalls);
        Assert.Equal(["Bearer token-1", "Bearer token-2"], handler.ApiRequests.Select(request => request.Authorization));
    }

    [Fact]
    public async Task A_second_401_is_reported_and_not_retried_again()
    {
        var handler = new StubHandler
        {
            Api = (_, _) => Task.FromResult(StubHandler.Json(HttpStatusCode.Unauthorized, """{"error":"insufficient scope"}""")),
        };
        using var client = TestClients.Create(handler);

        var failure = await Assert.ThrowsAsync<SailPointException>(() => client.GetSessionStatusAsync("s1"));

        Assert.Equal(HttpStatusCode.Unauthorized, failure.Status);
        Assert.Equal(2, handler.ApiCalls);
        Assert.Equal(2, handler.TokenCalls);
        Assert.Contains("insufficient scope", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_401_on_export_creation_is_resent_once_because_the_service_did_not_act_on_it()
    {
        var handler = new StubHandler
        {
            Api = (request, _) => Task.FromResult(request.Headers.Authorization!.Parameter == "token-1"
                ? StubHandler.Json(HttpStatusCode.Unauthorized, "{}")
                : StubHandler.Json(HttpStatusCode.Accepted, """{"exportId":"e1","status":"QUEUED"}""")),
        };
        using var client = TestClients.Create(handler);

        var export = await client.StartExportAsync("s1", "p1", new Models.PotentialRoleExportRequest());

        Assert.Equal("e1", export.ExportId);
        Assert.Equal(2, handler.ApiCalls);
    }

    [Fact]
    public async Task Refused_credentials_fail_as_authentication_without_the_secret()
    {
        var handler = new StubHandler
        {
            Token = (_, _) => Task.FromResult(StubHandler.Json(HttpStatusCode.Unauthorized, """{"error":"invalid_client","error_description":"Bad credentials"}""")),
        };
        using var client = TestClients.Create(handler);

        var failure = await Assert.ThrowsAsync<SailPointException>(() => client.GetSessionStatusAsync("s1"));

        Assert.Equal(SailPointErrorKind.Authentication, failure.Kind);
        Assert.Equal(HttpStatusCode.Unauthorized, failure.Status);
        Assert.Equal(0, handler.ApiCalls);
        Assert.Equal(1, handler.TokenCalls);
        Assert.Contains("Bad credentials", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(TestClients.Secret, failure.ToString(), StringComparison.Ordinal);
    }

    private sealed class ManualClock : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
