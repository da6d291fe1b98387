using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using RoleMining.Api.Callbacks;
using RoleMining.Api.Tests.Infrastructure;
using RoleMining.Exports;
using RoleMining.Testing.Identity;

namespace RoleMining.Api.Tests.Callbacks;

/// <summary>
/// Completion callbacks, end to end over the real hosting of the API: a start request names a configured callback; when
/// the job ends, the app gets a token from the callback's token endpoint (client credentials) and POSTs the outcome to a
/// local receiver standing in for a SailPoint Workflow's external trigger. The receiver refuses the first call (503): the
/// call is retried with backoff and delivered exactly once; a redelivered callback message calls nobody; a receiver that
/// refuses for good shows as a failed callback on the job; a request cannot name a URL or an unknown callback.
/// </summary>
public sealed class CompletionCallbackTests : IAsyncLifetime
{
    private const string CallbackName = "SailPointWorkflow";
    private const string MisbehavingTokenCallback = "WorkflowWithAMisbehavingTokenEndpoint";
    private const string UnresolvedUrlCallback = "LogicAppBehindAnUnresolvedReference";
    private const string ClientId = "workflow-external-trigger-client";
    private const string ClientSecret = "workflow-external-trigger-secret";
    private static readonly Uri PublicBase = new("https://rolemining.example.test/");
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(90);

    private readonly ConcurrentQueue<ReceivedCall> _calls = new();
    private LocalTokenIssuer? _tokens;
    private WebApplication? _receiver;
    private ApiTestHost? _host;
    private Func<int, int> _answer = _ => StatusCodes.Status200OK;
    private Func<HttpContext, IResult> _tokenAnswer = _ => Results.StatusCode(StatusCodes.Status500InternalServerError);
    private int _redirectedCalls;
    private int _redirectedTokenRequests;

    private ApiTestHost Host => _host!;

    public async Task InitializeAsync()
    {
        _tokens = await LocalTokenIssuer.StartAsync();
        _tokens.AddClient(ClientId, ClientSecret);
        _receiver = await StartReceiverAsync();
        var receiverBase = _receiver.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        var receiverUrl = receiverBase + "/beta/workflows/execute/external/c79e0079-562c-4df5-aa73-60a9e25c916d";
        _host = await ApiTestHost.StartAsync(
            api: options =>
            {
                options.PublicBaseUrl = PublicBase;
                options.Callbacks[CallbackName] = new CallbackTargetOptions
                {
                    Url = receiverUrl,
                    TokenUrl = _tokens.TokenEndpoint.ToString(),
                    ClientId = ClientId,
                    ClientSecret = ClientSecret,
                };
                // What App Service leaves in the setting when it cannot resolve the URL's Key Vault reference.
                options.Callbacks[UnresolvedUrlCallback] = new CallbackTargetOptions { Url = "@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/callback-url)" };
                options.Callbacks[MisbehavingTokenCallback] = new CallbackTargetOptions
                {
                    Url = receiverUrl,
                    TokenUrl = receiverBase + "/oauth/token",
                    ClientId = ClientId,
                    ClientSecret = ClientSecret,
                };
            },
            services: services => services
                // As in the Functions app, whose platform resolves Key Vault references (the unresolved URL above).
                .AcceptPlatformKeyVaultReferences()
                .Configure<ExportWorkflowOptions>(options =>
                {
                    options.Callbacks.InitialDelay = TimeSpan.FromMilliseconds(300);
                    options.Callbacks.MaxDelay = TimeSpan.FromSeconds(1);
                    options.Callbacks.MaxAttempts = 4;
                }));
    }

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        if (_receiver is not null)
        {
            await _receiver.DisposeAsync();
        }

        if (_tokens is not null)
        {
            await _tokens.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_finished_job_calls_its_callback_exactly_once_after_retrying_a_refused_first_call()
    {
        _answer = call => call == 1 ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK;
        var role = Host.SessionWithRoles().PotentialRoles[0];
        using var ended = CallbacksEnded();

        var jobId = await ExportAsync(role.Session.Id, role.Id);
        var job = await WaitForCallbackAsync(jobId, "delivered");

        var calls = _calls.ToArray();
        Assert.Equal(2, calls.Length);
        Assert.Equal([503, 200], calls.Select(call => call.Status));
        Assert.All(calls, call => Assert.True(call.Authenticated, "the call carried no token from the callback's token endpoint"));
        Assert.All(calls, call => Assert.Equal(jobId, call.IdempotencyKey));
        // A receiver, or a proxy in front of it, that reads the body by its Content-Length must get all of it.
        Assert.All(calls, call => Assert.True(call.ContentLength > 0 && call.TransferEncoding.Length == 0, $"Content-Length {call.ContentLength}, Transfer-Encoding '{call.TransferEncoding}'"));
        Assert.Equal(1, _tokens!.TokenRequests);
        var input = calls[1].Body["input"]!;
        Assert.Equal(jobId, (string?)input["jobId"]);
        Assert.Equal("succeeded", (string?)input["state"]);
        Assert.Equal(role.Id, (string?)input["potentialRoleId"]);
        Assert.Equal(new Uri(PublicBase, $"api/exports/{jobId}").ToString(), (string?)input["statusUrl"]);
        Assert.Contains(input["artifacts"]!.AsArray(), artifact => (string?)artifact!["url"] == new Uri(PublicBase, $"api/exports/{jobId}/artifacts/export.zip").ToString());
        Assert.Equal(2, (int?)job["callback"]!["attempts"]);
        Assert.NotNull((string?)job["callback"]!["deliveredAt"]);
        // One delivered callback counted, not the refused attempt before it.
        // Counted after the job is written (the workflow records a step's result once the step returned).
        await ended.WaitForMeasurementsAsync(1).WaitAsync(Budget);
        var delivered = Assert.Single(ended.GetMeasurementSnapshot());
        Assert.Equal("delivered", delivered.Tags[ExportsTelemetry.OutcomeAttribute]);
        Assert.Equal(CallbackName, delivered.Tags[ExportsTelemetry.CallbackAttribute]);

        // The callback's message delivered again (at-least-once queues do that) calls nobody.
        var workflow = Host.Services.GetRequiredService<ExportWorkflow>();
        var stored = (await Host.Services.GetRequiredService<ExportJobService>().GetAsync(jobId))!;
        var again = await workflow.HandleAsync(ExportMessage.Create(ExportStep.Callback, jobId, stored.Sequence, DateTimeOffset.UtcNow), new ExportDelivery(2));
        Assert.Equal(ExportStepOutcome.Duplicate, again.Outcome);
        Assert.Equal(2, _calls.Count);
    }

    [Fact]
    public async Task A_receiver_that_refuses_for_good_leaves_a_failed_callback_on_the_job_after_one_attempt()
    {
        _answer = _ => StatusCodes.Status404NotFound;
        var role = Host.SessionWithRoles().PotentialRoles[^1];
        using var ended = CallbacksEnded();

        var jobId = await ExportAsync(role.Session.Id, role.Id);
        var job = await WaitForCallbackAsync(jobId, "failed");

        Assert.Single(_calls);
        Assert.Equal(1, (int?)job["callback"]!["attempts"]);
        Assert.Contains("404", (string?)job["callback"]!["lastError"], StringComparison.Ordinal);
        Assert.Equal("succeeded", (string?)job["state"]);
        // Given up is a warning an operator can find: whoever waits for the callback is never told.
        var givenUp = Assert.Single(Host.Logs.GetSnapshot(), record => record.Id.Id == 132 && record.Message.Contains(jobId, StringComparison.Ordinal));
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, givenUp.Level);
        Assert.Contains("404", givenUp.Message, StringComparison.Ordinal);
        // ... and a metric an alert counts (infra/app/alerts/callback-failed.kql).
        await ended.WaitForMeasurementsAsync(1).WaitAsync(Budget);
        var failed = Assert.Single(ended.GetMeasurementSnapshot());
        Assert.Equal(1, failed.Value);
        Assert.Equal("failed", failed.Tags[ExportsTelemetry.OutcomeAttribute]);
        Assert.Equal(CallbackName, failed.Tags[ExportsTelemetry.CallbackAttribute]);
    }

    [Fact]
    public async Task A_callback_url_left_as_its_key_vault_reference_lets_the_app_start_and_fails_the_callback_saying_why()
    {
        // The app started with it (InitializeAsync): refusing to start would stop every export, not only this callback.
        var role = Host.SessionWithRoles().PotentialRoles[0];

        var jobId = await ExportAsync(role.Session.Id, role.Id, UnresolvedUrlCallback);
        var job = await WaitForCallbackAsync(jobId, "failed");

        Assert.Empty(_calls);
        Assert.Equal("succeeded", (string?)job["state"]);
        // Retried as a failure that may pass (a restart resolves the reference), then given up.
        Assert.Equal(4, (int?)job["callback"]!["attempts"]);
        Assert.Contains($"RoleMining__Api__Callbacks__{UnresolvedUrlCallback}__Url) is a Key Vault reference the platform has not resolved", (string?)job["callback"]!["lastError"], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(StatusCodes.Status307TemporaryRedirect)]
    [InlineData(StatusCodes.Status308PermanentRedirect)]
    public async Task A_receiver_that_redirects_is_not_followed_and_the_envelope_goes_nowhere_else(int status)
    {
        // A 307 or 308 would send the envelope (and HttpClient would send the body again) to a URL nobody configured.
        _answer = _ => status;
        var role = Host.SessionWithRoles().PotentialRoles[0];

        var jobId = await ExportAsync(role.Session.Id, role.Id);
        var job = await WaitForCallbackAsync(jobId, "failed");

        Assert.Single(_calls);
        Assert.Equal(0, _redirectedCalls);
        Assert.Contains("redirects are not followed", (string?)job["callback"]!["lastError"], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(StatusCodes.Status307TemporaryRedirect)]
    [InlineData(StatusCodes.Status308PermanentRedirect)]
    public async Task A_token_endpoint_that_redirects_is_not_followed_and_the_client_secret_goes_nowhere_else(int status)
    {
        // A 307 or 308 would make HttpClient post the client secret again, to a URL nobody configured.
        _tokenAnswer = context =>
        {
            context.Response.Headers.Location = $"http://localhost:{context.Request.Host.Port}/elsewhere/token";
            return Results.StatusCode(status);
        };
        var role = Host.SessionWithRoles().PotentialRoles[0];

        var jobId = await ExportAsync(role.Session.Id, role.Id, MisbehavingTokenCallback);
        var job = await WaitForCallbackAsync(jobId, "failed");

        Assert.Equal(0, _redirectedTokenRequests);
        Assert.Empty(_calls);
        Assert.Equal(1, (int?)job["callback"]!["attempts"]);
        var error = (string?)job["callback"]!["lastError"];
        Assert.Contains("redirects are not followed", error, StringComparison.Ordinal);
        Assert.DoesNotContain(ClientSecret, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"access_token":"\ud800","token_type":"Bearer","expires_in":3600}""")]
    [InlineData("""{"access_token":7,"token_type":"Bearer","expires_in":3600}""")]
    [InlineData("""{"token_type":"Bearer","expires_in":3600}""")]
    [InlineData("""[1,2,3]""")]
    [InlineData("""not json""")]
    public async Task A_token_endpoint_answer_that_is_not_a_token_fails_the_callback_with_a_reason_and_calls_nobody(string body)
    {
        _tokenAnswer = _ => Results.Text(body, "application/json");
        var role = Host.SessionWithRoles().PotentialRoles[0];

        var jobId = await ExportAsync(role.Session.Id, role.Id, MisbehavingTokenCallback);
        var job = await WaitForCallbackAsync(jobId, "failed");

        Assert.Empty(_calls);
        Assert.Contains("token endpoint answered 200 without an access token", (string?)job["callback"]!["lastError"], StringComparison.Ordinal);
        // Asking again would get the same answer: given up at once, not after every retry.
        Assert.Equal(1, (int?)job["callback"]!["attempts"]);
        Assert.Equal("succeeded", (string?)job["state"]);
    }

    [Theory]
    [InlineData("""{"access_token":"odd-lifetime","token_type":"Bearer","expires_in":"3600"}""")]
    [InlineData("""{"access_token":"odd-lifetime","token_type":"Bearer","expires_in":"\ud800"}""")]
    [InlineData("""{"access_token":"odd-lifetime","token_type":"Bearer","expires_in":-5}""")]
    [InlineData("""{"access_token":"odd-lifetime","token_type":"Bearer"}""")]
    public async Task A_token_whose_lifetime_is_missing_or_unreadable_is_still_used(string body)
    {
        // The lifetime only decides when to ask again; a token without a readable one is good for this call.
        _tokenAnswer = _ => Results.Text(body, "application/json");
        var role = Host.SessionWithRoles().PotentialRoles[0];

        var jobId = await ExportAsync(role.Session.Id, role.Id, MisbehavingTokenCallback);
        await WaitForCallbackAsync(jobId, "delivered");

        var call = Assert.Single(_calls);
        Assert.Equal("Bearer odd-lifetime", call.Authorization);
    }

    [Fact]
    public async Task A_request_can_name_only_a_configured_callback_never_a_url()
    {
        var role = Host.SessionWithRoles().PotentialRoles[0];
        var path = $"api/sessions/{role.Session.Id}/potential-roles/{role.Id}/exports";

        using var url = await Host.Client.PostAsJsonAsync(path, new { callback = "https://attacker.example/collect" });
        using var unknown = await Host.Client.PostAsJsonAsync(path, new { callback = "SomethingElse" });
        using var number = await Host.Client.PostAsJsonAsync(path, new { callback = 7 });

        foreach (var refused in new[] { url, unknown, number })
        {
            var problem = await HttpAssert.ProblemAsync(refused, HttpStatusCode.BadRequest);
            Assert.Contains(CallbackName, problem["errors"]!["callback"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        }

        Assert.Empty(_calls);
    }

    /// <summary>The callbacks the app counts as ended (delivered or given up), from now on.</summary>
    private MetricCollector<long> CallbacksEnded() =>
        new(Host.Services.GetRequiredService<IMeterFactory>(), ExportsTelemetry.MeterName, ExportsTelemetry.CallbacksInstrument);

    private async Task<string> ExportAsync(string sessionId, string roleId, string callback = CallbackName)
    {
        // Location is built on the public base URL of the deployment, which this test host is not: the job is polled by id.
        using var start = await Host.Client.PostAsJsonAsync($"api/sessions/{sessionId}/potential-roles/{roleId}/exports", new { callback });
        var accepted = await HttpAssert.JsonAsync(start, HttpStatusCode.Accepted);
        Assert.Equal(callback, (string?)accepted["callback"]!["name"]);
        Assert.Equal("pending", (string?)accepted["callback"]!["state"]);
        var jobId = (string)accepted["jobId"]!;
        Assert.Equal(new Uri(PublicBase, $"api/exports/{jobId}"), start.Headers.Location);
        return jobId;
    }

    private async Task<JsonNode> WaitForCallbackAsync(string jobId, string state)
    {
        var deadline = DateTimeOffset.UtcNow + Budget;
        while (true)
        {
            using var response = await Host.Client.GetAsync($"api/exports/{jobId}");
            var job = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            if (response.StatusCode == HttpStatusCode.OK && (string?)job["callback"]!["state"] == state)
            {
                return job;
            }

            Assert.True(DateTimeOffset.UtcNow < deadline, $"The callback did not become {state}: {job["callback"]}");
            await Task.Delay(200);
        }
    }

    private async Task<WebApplication> StartReceiverAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration["urls"] = "http://127.0.0.1:0";
        var app = builder.Build();
        var count = 0;
        app.MapPost("/beta/workflows/execute/external/{id}", async (HttpContext context) =>
        {
            var body = (await JsonNode.ParseAsync(context.Request.Body))!;
            var authorization = context.Request.Headers.Authorization.ToString();
            var authenticated = authorization.StartsWith("Bearer ", StringComparison.Ordinal) && _tokens!.Issued(authorization["Bearer ".Length..]);
            var status = _answer(Interlocked.Increment(ref count));
            _calls.Enqueue(new ReceivedCall(status, authenticated, authorization, context.Request.Headers["Idempotency-Key"].ToString(), body, context.Request.ContentLength, context.Request.Headers.TransferEncoding.ToString()));
            if (status is >= 300 and < 400)
            {
                // Another host than the configured one (127.0.0.1), as an attacker's would be.
                context.Response.Headers.Location = $"http://localhost:{context.Request.Host.Port}/elsewhere";
            }

            return Results.StatusCode(status);
        });
        app.MapPost("/elsewhere", () =>
        {
            Interlocked.Increment(ref _redirectedCalls);
            return Results.Ok();
        });
        app.MapPost("/oauth/token", (HttpContext context) => _tokenAnswer(context));
        app.MapPost("/elsewhere/token", () =>
        {
            Interlocked.Increment(ref _redirectedTokenRequests);
            return Results.Ok(new { access_token = "stolen", token_type = "Bearer", expires_in = 3600 });
        });
        await app.StartAsync();
        return app;
    }

    private sealed record ReceivedCall(int Status, bool Authenticated, string Authorization, string IdempotencyKey, JsonNode Body, long? ContentLength, string TransferEncoding);
}
