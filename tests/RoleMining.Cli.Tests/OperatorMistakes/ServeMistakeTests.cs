using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using RoleMining.Cli.Hosting;
using RoleMining.Cli.Tests.Infrastructure;

namespace RoleMining.Cli.Tests.OperatorMistakes;

/// <summary>
/// <c>rolemining serve</c> against what a browser page can do (DNS rebinding, cross-site POSTs) and against an operator
/// who binds it beyond this machine.
/// </summary>
public sealed partial class ServeMistakeTests(EmulatorFixture emulator) : IClassFixture<EmulatorFixture>
{
    [Fact]
    public async Task A_request_with_a_foreign_Host_is_refused_and_links_never_reflect_the_Host_header()
    {
        await using var serve = await StartAsync("http://127.0.0.1:0");
        var (session, role) = Role();

        using var foreign = new HttpRequestMessage(HttpMethod.Get, $"sessions/{session}");
        foreign.Headers.Host = $"attacker.example:{serve.Api.Port}";
        using var refused = await serve.Http.SendAsync(foreign);
        using var local = new HttpRequestMessage(HttpMethod.Post, $"sessions/{session}/potential-roles/{role}/exports") { Content = Json("{}") };
        local.Headers.Host = $"localhost:{serve.Api.Port}";
        using var accepted = await serve.Http.SendAsync(local);

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        var problem = await refused.Content.ReadAsStringAsync();
        Assert.Contains(OperatorMistakeCatalog.ServeForeignHost.Says, problem, StringComparison.Ordinal);
        Assert.Contains("attacker.example", problem, StringComparison.Ordinal);
        Assert.Equal(OperatorMistake.Http(400), OperatorMistakeCatalog.ServeForeignHost.Outcome);

        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var bound = $"http://127.0.0.1:{serve.Api.Port}/api/exports/";
        Assert.StartsWith(bound, accepted.Headers.Location!.ToString(), StringComparison.Ordinal);
        using var body = JsonDocument.Parse(await accepted.Content.ReadAsStringAsync());
        Assert.DoesNotContain("localhost", body.RootElement.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_POST_without_a_JSON_content_type_starts_nothing()
    {
        await using var serve = await StartAsync("http://127.0.0.1:0");
        var (session, role) = Role();
        var path = $"sessions/{session}/potential-roles/{role}/exports";
        var before = emulator.Server.Statistics.ExportCreationsFor(session, role);

        using var bare = await serve.Http.PostAsync(path, null);
        using var form = await serve.Http.PostAsync(path, new StringContent("minEntitlementPopularity=1", Encoding.UTF8, "application/x-www-form-urlencoded"));
        using var plain = await serve.Http.PostAsync(path, new StringContent(string.Empty, Encoding.UTF8, "text/plain"));
        using var json = await serve.Http.PostAsync(path, Json(string.Empty));

        foreach (var refused in new[] { bare, form, plain })
        {
            Assert.Equal(HttpStatusCode.UnsupportedMediaType, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            Assert.Contains(OperatorMistakeCatalog.ServePostWithoutJson.Says, await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Equal(OperatorMistake.Http(415), OperatorMistakeCatalog.ServePostWithoutJson.Outcome);
        Assert.Equal(HttpStatusCode.Accepted, json.StatusCode);

        // A POST where no route takes one starts nothing either: it gets what it would get with JSON, 405 or 404.
        using var toAGetRoute = await serve.Http.PostAsync($"sessions/{session}", null);
        using var toNoRoute = await serve.Http.PostAsync("no-such-route", null);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, toAGetRoute.StatusCode);
        Assert.Contains("GET", toAGetRoute.Content.Headers.Allow);
        Assert.Equal(HttpStatusCode.NotFound, toNoRoute.StatusCode);
    }

    [Fact]
    public async Task Bound_beyond_loopback_it_prints_a_token_at_start_and_answers_only_requests_that_carry_it()
    {
        await using var serve = await StartAsync("http://0.0.0.0:0");
        var (session, _) = Role();
        Assert.NotNull(serve.Token);

        using var anonymous = await serve.Http.GetAsync($"sessions/{session}");
        using var wrong = new HttpRequestMessage(HttpMethod.Get, $"sessions/{session}") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", "not-the-token") } };
        using var wrongReply = await serve.Http.SendAsync(wrong);
        using var bearer = new HttpRequestMessage(HttpMethod.Get, $"sessions/{session}") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", serve.Token) } };
        using var bearerReply = await serve.Http.SendAsync(bearer);
        using var functionKey = new HttpRequestMessage(HttpMethod.Get, $"sessions/{session}");
        functionKey.Headers.Add("x-functions-key", serve.Token);
        using var functionKeyReply = await serve.Http.SendAsync(functionKey);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("application/problem+json", anonymous.Content.Headers.ContentType?.MediaType);
        Assert.Contains(OperatorMistakeCatalog.ServeWithoutToken.Says, await anonymous.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(OperatorMistake.Http(401), OperatorMistakeCatalog.ServeWithoutToken.Outcome);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongReply.StatusCode);
        Assert.Equal(HttpStatusCode.OK, bearerReply.StatusCode);
        Assert.Equal(HttpStatusCode.OK, functionKeyReply.StatusCode);

        var result = await serve.StopAsync();
        Assert.DoesNotContain("no authentication", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task On_loopback_a_configured_token_is_required_too()
    {
        await using var serve = await StartAsync("http://127.0.0.1:0", ("RoleMining__Serve__AccessToken", "a-configured-token-of-some-length"));
        var (session, _) = Role();

        using var anonymous = await serve.Http.GetAsync($"sessions/{session}");
        using var bearer = new HttpRequestMessage(HttpMethod.Get, $"sessions/{session}") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", "a-configured-token-of-some-length") } };
        using var bearerReply = await serve.Http.SendAsync(bearer);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.OK, bearerReply.StatusCode);
        var result = await serve.StopAsync();
        Assert.DoesNotContain("a-configured-token-of-some-length", result.Output + result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_access_token_and_the_configured_API_keys_pass_the_same_gate()
    {
        const string scriptKey = "a-key-of-a-script-of-some-length";
        var scriptKeyHash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(scriptKey)));
        await using var serve = await StartAsync(
            "http://127.0.0.1:0",
            ("RoleMining__Serve__AccessToken", "a-configured-token-of-some-length"),
            ("RoleMining__Api__Authentication__ApiKeys__Script", scriptKeyHash));
        var (session, _) = Role();

        using var token = new HttpRequestMessage(HttpMethod.Get, $"sessions/{session}") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", "a-configured-token-of-some-length") } };
        using var tokenReply = await serve.Http.SendAsync(token);
        using var key = new HttpRequestMessage(HttpMethod.Get, $"sessions/{session}");
        key.Headers.Add("x-functions-key", scriptKey);
        using var keyReply = await serve.Http.SendAsync(key);
        using var keyAsBearer = new HttpRequestMessage(HttpMethod.Get, $"sessions/{session}") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", scriptKey) } };
        using var keyAsBearerReply = await serve.Http.SendAsync(keyAsBearer);
        using var anonymous = await serve.Http.GetAsync($"sessions/{session}");

        Assert.Equal(HttpStatusCode.OK, tokenReply.StatusCode);
        Assert.Equal(HttpStatusCode.OK, keyReply.StatusCode);
        Assert.Equal(HttpStatusCode.OK, keyAsBearerReply.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Contains(OperatorMistakeCatalog.ServeWithoutToken.Says, await anonymous.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var result = await serve.StopAsync();
        Assert.DoesNotContain(scriptKey, result.Output + result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Serve_stopped_by_SIGTERM_exits_0_and_says_what_becomes_of_unfinished_exports(bool builtInEmulator)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var directory = new TemporaryDirectory();
        var variables = builtInEmulator ? [] : new Dictionary<string, string>
        {
            ["SAIL_BASE_URL"] = emulator.Server.BaseAddress.ToString(),
            ["SAIL_CLIENT_ID"] = emulator.Server.Options.ClientId,
            ["SAIL_CLIENT_SECRET"] = emulator.Server.Options.ClientSecret,
        };

        var result = await ChildProcess.RunCliAsync(["serve", "--urls", "http://127.0.0.1:0", "--out", "exports"], variables, directory.Path, (line, terminate) =>
        {
            if (line.Contains("listening on", StringComparison.Ordinal))
            {
                terminate();
            }
        });

        result.AssertGot(OperatorMistakeCatalog.ServeStopped);
        var stopped = Assert.Single(result.OutputLines, line => line.StartsWith("Stopped.", StringComparison.Ordinal));
        Assert.Equal(builtInEmulator, stopped.Contains("the built-in emulator had begun then fail", StringComparison.Ordinal));
    }

    private (string Session, string Role) Role()
    {
        var session = emulator.Server.Tenant.Sessions.First(candidate => candidate.PotentialRoles.Any(role => role.IdentityCount > 0));
        return (session.Id, session.PotentialRoles.First(role => role.IdentityCount > 0).Id);
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private async Task<RunningServe> StartAsync(string urls, params (string Name, string Value)[] settings)
    {
        var directory = new TemporaryDirectory();
        var runner = emulator.CreateRunner(directory.Path);
        foreach (var (name, value) in settings)
        {
            runner.With(name, value);
        }

        var stop = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        string? token = null;
        var run = runner.RunAsync(["serve", "--urls", urls, "--out", directory.Combine("exports")], stop.Token, line =>
        {
            if (TokenLine().Match(line) is { Success: true } tokenMatch)
            {
                token = tokenMatch.Groups["token"].Value;
            }

            if (ListeningLine().Match(line) is { Success: true } match)
            {
                // A wildcard bind is reached through loopback.
                listening.TrySetResult(new Uri($"http://127.0.0.1:{match.Groups["port"].Value}/api/"));
            }
        });
        var api = await Task.WhenAny(listening.Task, run) == run
            ? throw new InvalidOperationException("serve ended before it listened: " + await run)
            : await listening.Task;
        return new RunningServe(api, new HttpClient { BaseAddress = api }, run, stop, directory, token);
    }

    [GeneratedRegex(@"listening on http://[^ ]+?:(?<port>\d+)/api")]
    private static partial Regex ListeningLine();

    [GeneratedRegex(@"token[: ]+(?<token>[A-Za-z0-9_-]{32,})")]
    private static partial Regex TokenLine();

    private sealed class RunningServe(Uri api, HttpClient http, Task<CliResult> run, CancellationTokenSource stop, TemporaryDirectory directory, string? token) : IAsyncDisposable
    {
        public Uri Api => api;

        public HttpClient Http => http;

        public string? Token => token;

        public async Task<CliResult> StopAsync()
        {
            await stop.CancelAsync();
            var result = await run;
            Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
            return result;
        }

        public async ValueTask DisposeAsync()
        {
            if (!run.IsCompleted)
            {
                await StopAsync();
            }

            http.Dispose();
            stop.Dispose();
            directory.Dispose();
        }
    }
}
