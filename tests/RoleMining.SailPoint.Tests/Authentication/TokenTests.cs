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
    public async Task A_token_endpoint_that_does_not_answer_is_given_up_after_one_attempt_s_time_and_asked_again()
    {
        var clock = FakeClock.Create();
        var handler = new StubHandler
        {
            Clock = clock,
            Api = StatusOk,
            // The first token request is accepted and never answered.
            Token = (_, index) => index == 0 ? new TaskCompletionSource<HttpResponseMessage>().Task : Task.FromResult(StubHandler.TokenResponse("token-2", 600)),
        };
        using var client = TestClients.Create(handler, options => (options.Timeouts.Attempt, options.Timeouts.Total) = (TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(10)), timeProvider: clock);

        var call = client.GetSessionStatusAsync("s1");
        await clock.AdvanceUntilAsync(() => call.IsCompleted);
        await call;

        var tokens = handler.TokenRequests.Select(request => request.Timestamp).ToList();
        Assert.Equal(2, tokens.Count);
        Assert.InRange(clock.GetElapsedTime(tokens[0], tokens[1]), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(15));
        Assert.Equal("Bearer token-2", Assert.Single(handler.ApiRequests).Authorization);
    }

    [Fact]
    public async Task A_token_endpoint_that_never_answers_fails_the_call_as_a_timeout_naming_the_setting()
    {
        var handler = new StubHandler { Api = StatusOk, Token = (_, _) => new TaskCompletionSource<HttpResponseMessage>().Task };
        using var client = TestClients.Create(handler, options =>
        {
            (options.Timeouts.Attempt, options.Timeouts.Total) = (TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(1));
            (options.Retry.MaxRetryAttempts, options.Retry.BaseDelay) = (1, TimeSpan.FromMilliseconds(10));
        });

        var failure = await Assert.ThrowsAsync<SailPointException>(() => client.GetSessionStatusAsync("s1"));

        Assert.Equal(SailPointErrorKind.Timeout, failure.Kind);
        Assert.Contains("SailPoint:Timeouts:Attempt", failure.Message, StringComparison.Ordinal);
        Assert.Equal(2, handler.TokenCalls);
        Assert.Equal(0, handler.ApiCalls);
    }

    [Theory]
    [InlineData(HttpStatusCode.TooManyRequests)]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    public async Task A_token_endpoint_that_says_when_to_come_back_is_asked_again_no_sooner(HttpStatusCode status)
    {
        var clock = FakeClock.Create();
        var handler = new StubHandler
        {
            Clock = clock,
            Api = StatusOk,
            Token = (_, index) =>
            {
                if (index > 0)
                {
                    return Task.FromResult(StubHandler.TokenResponse("token-2", 600));
                }

                var refused = StubHandler.Json(status, """{"message":"slow down"}""");
                refused.Headers.TryAddWithoutValidation("Retry-After", "7");
                return Task.FromResult(refused);
            },
        };
        using var client = TestClients.Create(handler, timeProvider: clock);

        var call = client.GetSessionStatusAsync("s1");
        await clock.AdvanceUntilAsync(() => call.IsCompleted);
        await call;

        var tokens = handler.TokenRequests.Select(request => request.Timestamp).ToList();
        Assert.Equal(2, tokens.Count);
        Assert.InRange(clock.GetElapsedTime(tokens[0], tokens[1]), TimeSpan.FromSeconds(7), TimeSpan.FromSeconds(8));
    }

    [Fact]
    public async Task A_token_endpoint_retry_after_beyond_the_budget_fails_at_once()
    {
        var handler = new StubHandler
        {
            Api = StatusOk,
            Token = (_, _) =>
            {
                var refused = StubHandler.Json(HttpStatusCode.TooManyRequests, """{"message":"slow down"}""");
                refused.Headers.TryAddWithoutValidation("Retry-After", "600");
                return Task.FromResult(refused);
            },
        };
        using var client = TestClients.Create(handler, options => options.Retry.MaxRetryAfter = TimeSpan.FromSeconds(30));

        var failure = await Assert.ThrowsAsync<SailPointException>(() => client.GetSessionStatusAsync("s1"));

        Assert.Equal(TimeSpan.FromSeconds(600), failure.RetryAfter);
        Assert.Equal(1, handler.TokenCalls);
    }

    [Fact]
    public async Task A_token_without_expires_in_is_reused_not_fetched_before_every_request()
    {
        var handler = new StubHandler
        {
            Api = StatusOk,
            Token = (_, index) => Task.FromResult(StubHandler.Json(HttpStatusCode.OK, $$"""{"access_token":"token-{{index + 1}}","token_type":"bearer"}""")),
        };
        using var client = TestClients.Create(handler);

        for (var i = 0; i < 3; i++)
        {
            await client.GetSessionStatusAsync("s1");
        }

        Assert.Equal(1, handler.TokenCalls);
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
