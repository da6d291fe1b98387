using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using RoleMining.Api.Authentication;
using RoleMining.Api.Tests.Infrastructure;
using RoleMining.Testing.Http;
using RoleMining.Testing.Identity;

namespace RoleMining.Api.Tests.Authentication;

/// <summary>
/// The authentication gate over the real hosting of <c>rolemining serve</c> (Kestrel, the route table, the in-process
/// export runner) with a local Entra-like token issuer: a caller authenticates once the way Logic Apps does (a managed
/// identity's client-credentials token, re-applied to every poll), follows Location and Retry-After to the end and downloads
/// the zip; a poll without credentials is a 401 problem; keys and tokens are checked for what makes them invalid.
/// </summary>
public sealed class AuthenticationTests : IAsyncLifetime
{
    private const string Audience = "api://rolemining-tests";
    private const string LogicAppClientId = "logic-app-managed-identity";
    private const string LogicAppSecret = "logic-app-secret";
    private const string WorkflowKey = "sailpoint-workflow-key-0123456789";
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(90);

    private LocalTokenIssuer? _issuer;
    private ApiTestHost? _host;

    private LocalTokenIssuer Issuer => _issuer!;

    private ApiTestHost Host => _host!;

    public async Task InitializeAsync()
    {
        _issuer = await LocalTokenIssuer.StartAsync();
        Issuer.AddClient(LogicAppClientId, LogicAppSecret);
        Issuer.AddClient("another-app-of-the-tenant", "other-secret");
        _host = await ApiTestHost.StartAsync(api: options =>
        {
            options.Authentication.Entra.Authority = Issuer.Authority;
            options.Authentication.Entra.Audiences = Audience;
            options.Authentication.Entra.AllowedClientApplications = LogicAppClientId;
            options.Authentication.ApiKeys["SailPointWorkflow"] = Sha256(WorkflowKey);
        });
    }

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        if (_issuer is not null)
        {
            await _issuer.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_caller_that_authenticates_once_like_a_Logic_App_follows_Location_to_the_end_and_downloads_the_zip()
    {
        var role = Host.SessionWithRoles().PotentialRoles[0];
        using var http = new HttpClient { BaseAddress = Host.BaseAddress };
        var token = await Issuer.RequestTokenAsync(http, LogicAppClientId, LogicAppSecret, Audience);
        void Authenticate(HttpRequestMessage request) => request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var follower = new AsyncPatternClient(http, Authenticate);
        using var start = new HttpRequestMessage(HttpMethod.Post, $"api/sessions/{role.Session.Id}/potential-roles/{role.Id}/exports")
        {
            Content = JsonContent.Create(new { minEntitlementPopularity = 0 }),
        };
        Authenticate(start);

        using var done = await follower.SendAndFollowAsync(start, Budget);

        var job = await HttpAssert.JsonAsync(done, HttpStatusCode.OK);
        Assert.NotEmpty(follower.Polls);
        Assert.Equal(1, Issuer.TokenRequests);
        var zipUrl = job["artifacts"]!.AsArray().Select(node => node!).Single(artifact => (string?)artifact["name"] == "export.zip")["url"]!.GetValue<string>();
        Assert.DoesNotContain("code=", zipUrl, StringComparison.Ordinal);
        using var download = new HttpRequestMessage(HttpMethod.Get, zipUrl);
        Authenticate(download);
        using var zip = await http.SendAsync(download);
        Assert.Equal(HttpStatusCode.OK, zip.StatusCode);
        using var archive = new ZipArchive(await zip.Content.ReadAsStreamAsync(), ZipArchiveMode.Read);
        Assert.Contains(archive.Entries, entry => entry.FullName == "identities.csv");
    }

    [Fact]
    public async Task A_poll_without_credentials_gets_401_with_a_problem_document_and_the_same_poll_with_the_key_gets_the_job()
    {
        var role = Host.SessionWithRoles().PotentialRoles[0];
        using var http = new HttpClient { BaseAddress = Host.BaseAddress };
        using var start = new HttpRequestMessage(HttpMethod.Post, $"api/sessions/{role.Session.Id}/potential-roles/{role.Id}/exports");
        start.Headers.Add(ApiAuthenticationOptions.ApiKeyHeader, WorkflowKey);
        using var accepted = await http.SendAsync(start);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var location = accepted.Headers.Location!;

        using var anonymous = await http.GetAsync(location);

        var problem = await HttpAssert.ProblemAsync(anonymous, HttpStatusCode.Unauthorized);
        Assert.Equal("Authentication is required.", (string?)problem["title"]);
        Assert.Contains("Bearer", anonymous.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Contains(ApiAuthenticationOptions.ApiKeyHeader, (string?)problem["detail"], StringComparison.Ordinal);
        using var poll = new HttpRequestMessage(HttpMethod.Get, location);
        poll.Headers.Add(ApiAuthenticationOptions.ApiKeyHeader, WorkflowKey);
        using var withKey = await http.SendAsync(poll);
        Assert.Contains(withKey.StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.Accepted });
    }

    [Fact]
    public async Task Keys_are_checked_against_their_hashes_and_never_taken_from_the_url()
    {
        var session = Host.SessionWithRoles();
        using var http = new HttpClient { BaseAddress = Host.BaseAddress };

        using var good = await SendAsync(http, $"api/sessions/{session.Id}", request => request.Headers.Add(ApiAuthenticationOptions.ApiKeyHeader, WorkflowKey));
        using var wrong = await SendAsync(http, $"api/sessions/{session.Id}", request => request.Headers.Add(ApiAuthenticationOptions.ApiKeyHeader, WorkflowKey + "x"));
        using var hashAsKey = await SendAsync(http, $"api/sessions/{session.Id}", request => request.Headers.Add(ApiAuthenticationOptions.ApiKeyHeader, Sha256(WorkflowKey)));
        using var inUrl = await SendAsync(http, $"api/sessions/{session.Id}?code={WorkflowKey}", request => request.Headers.Add(ApiAuthenticationOptions.ApiKeyHeader, WorkflowKey));

        // An Authorization header a proxy or an HTTP action adds does not hide a valid key.
        using var keyAndBasic = await SendAsync(http, $"api/sessions/{session.Id}", request =>
        {
            request.Headers.Add(ApiAuthenticationOptions.ApiKeyHeader, WorkflowKey);
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", "dXNlcjpwYXNz");
        });
        using var wrongKeyAndBasic = await SendAsync(http, $"api/sessions/{session.Id}", request =>
        {
            request.Headers.Add(ApiAuthenticationOptions.ApiKeyHeader, WorkflowKey + "x");
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", "dXNlcjpwYXNz");
        });

        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
        Assert.Equal(HttpStatusCode.OK, keyAndBasic.StatusCode);
        await HttpAssert.ProblemAsync(wrongKeyAndBasic, HttpStatusCode.Unauthorized);
        await HttpAssert.ProblemAsync(wrong, HttpStatusCode.Unauthorized);
        await HttpAssert.ProblemAsync(hashAsKey, HttpStatusCode.Unauthorized);
        var problem = await HttpAssert.ProblemAsync(inUrl, HttpStatusCode.Unauthorized);
        Assert.Contains("never accepted in the URL", (string?)problem["detail"], StringComparison.Ordinal);

        // ASP.NET Core's own request log writes the URL, query included (that is why a key in the URL is refused); the
        // API's logs never carry a key, not even the wrong one.
        Assert.Contains(Host.Logs.GetSnapshot(), entry => entry.Category?.StartsWith("RoleMining.", StringComparison.Ordinal) == true && entry.Message.Contains("never accepted in the URL", StringComparison.Ordinal));
        Assert.DoesNotContain(Host.Logs.GetSnapshot(), entry => entry.Category?.StartsWith("RoleMining.", StringComparison.Ordinal) == true && entry.Message.Contains(WorkflowKey, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Tokens_that_are_expired_for_another_audience_forged_or_of_an_app_not_allowed_are_refused()
    {
        var session = Host.SessionWithRoles();
        using var http = new HttpClient { BaseAddress = Host.BaseAddress };
        using var forgedKey = RSA.Create(2048);
        var path = $"api/sessions/{session.Id}";

        using var valid = await WithTokenAsync(http, path, Issuer.IssueToken(LogicAppClientId, Audience, TimeSpan.FromMinutes(5)));
        using var expired = await WithTokenAsync(http, path, Issuer.IssueToken(LogicAppClientId, Audience, TimeSpan.FromMinutes(-10)));
        using var otherAudience = await WithTokenAsync(http, path, Issuer.IssueToken(LogicAppClientId, "api://another-api", TimeSpan.FromMinutes(5)));
        using var forged = await WithTokenAsync(http, path, Issuer.IssueToken(LogicAppClientId, Audience, TimeSpan.FromMinutes(5), new RsaSecurityKey(forgedKey) { KeyId = "forged" }));
        using var notAllowed = await WithTokenAsync(http, path, await Issuer.RequestTokenAsync(http, "another-app-of-the-tenant", "other-secret", Audience));
        using var notAToken = await WithTokenAsync(http, path, "not-a-jwt");

        Assert.Equal(HttpStatusCode.OK, valid.StatusCode);
        Assert.Contains("expired", (string?)(await HttpAssert.ProblemAsync(expired, HttpStatusCode.Unauthorized))["detail"], StringComparison.Ordinal);
        Assert.Contains("another audience", (string?)(await HttpAssert.ProblemAsync(otherAudience, HttpStatusCode.Unauthorized))["detail"], StringComparison.Ordinal);
        Assert.Contains("signature", (string?)(await HttpAssert.ProblemAsync(forged, HttpStatusCode.Unauthorized))["detail"], StringComparison.Ordinal);
        Assert.Contains("another-app-of-the-tenant", (string?)(await HttpAssert.ProblemAsync(notAllowed, HttpStatusCode.Forbidden))["detail"], StringComparison.Ordinal);
        await HttpAssert.ProblemAsync(notAToken, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task While_the_token_issuer_cannot_be_reached_a_token_gets_503_with_Retry_After_not_401()
    {
        // Logic Apps and Power Automate retry a 503, not a 401: an outage of the issuer's metadata must not fail their runs.
        await using var host = await ApiTestHost.StartAsync(api: options =>
        {
            options.Authentication.Entra.Authority = $"http://127.0.0.1:1/{Issuer.TenantId}/v2.0"; // nothing listens on port 1
            options.Authentication.Entra.Audiences = Audience;
            options.Authentication.Entra.AllowedClientApplications = LogicAppClientId;
            options.Authentication.ApiKeys["SailPointWorkflow"] = Sha256(WorkflowKey);
        });
        using var http = new HttpClient { BaseAddress = host.BaseAddress };
        var path = $"api/sessions/{host.SessionWithRoles().Id}";

        using var token = await WithTokenAsync(http, path, Issuer.IssueToken(LogicAppClientId, Audience, TimeSpan.FromMinutes(5)));
        using var key = await SendAsync(http, path, request => request.Headers.Add(ApiAuthenticationOptions.ApiKeyHeader, WorkflowKey));

        // What can be judged without the issuer is still a 401: retrying would not help.
        using var notAToken = await WithTokenAsync(http, path, "wrong-api-key-sent-as-bearer");
        using var expired = await WithTokenAsync(http, path, Issuer.IssueToken(LogicAppClientId, Audience, TimeSpan.FromMinutes(-10)));
        // Shaped like a JSON Web Token (three or five parts) but not readable as one: still the caller's fault.
        using var threeParts = await WithTokenAsync(http, path, "aaa.bbb.ccc");
        using var fiveParts = await WithTokenAsync(http, path, "a.b.c.d.e");
        await HttpAssert.ProblemAsync(notAToken, HttpStatusCode.Unauthorized);
        Assert.Contains("not a JSON Web Token", (string?)(await HttpAssert.ProblemAsync(threeParts, HttpStatusCode.Unauthorized))["detail"], StringComparison.Ordinal);
        Assert.Contains("not a JSON Web Token", (string?)(await HttpAssert.ProblemAsync(fiveParts, HttpStatusCode.Unauthorized))["detail"], StringComparison.Ordinal);
        Assert.Contains("expired", (string?)(await HttpAssert.ProblemAsync(expired, HttpStatusCode.Unauthorized))["detail"], StringComparison.Ordinal);

        var problem = await HttpAssert.ProblemAsync(token, HttpStatusCode.ServiceUnavailable);
        Assert.Contains("cannot be checked right now", (string?)problem["detail"], StringComparison.Ordinal);
        Assert.True(token.Headers.RetryAfter?.Delta > TimeSpan.Zero, "Retry-After");
        Assert.Equal(HttpStatusCode.OK, key.StatusCode);
    }

    [Fact]
    public void A_host_that_requires_authentication_starts_without_a_way_in_but_not_with_one_that_cannot_work()
    {
        static OptionsValidationException? Validate(Action<RoleMiningApiOptions> configure)
        {
            using var provider = new ServiceCollection().AddRoleMiningApi(configure).RequireRoleMiningApiAuthentication().BuildServiceProvider();
            try
            {
                _ = provider.GetRequiredService<IOptions<RoleMiningApiOptions>>().Value;
                return null;
            }
            catch (OptionsValidationException exception)
            {
                return exception;
            }
        }

        var nothing = Validate(_ => { });
        var keyInsteadOfHash = Validate(options => options.Authentication.ApiKeys["SailPointWorkflow"] = WorkflowKey);
        var entraWithoutCallers = Validate(options =>
        {
            options.Authentication.Entra.Authority = "https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0";
            options.Authentication.Entra.Audiences = Audience;
        });
        var hashOnly = Validate(options => options.Authentication.ApiKeys["SailPointWorkflow"] = Sha256(WorkflowKey));

        // Nothing configured is not a start failure: the Functions app's timers and queues must run; its API answers 503.
        Assert.Null(nothing);
        Assert.Contains("never the key itself", Assert.IsType<OptionsValidationException>(keyInsteadOfHash).Message, StringComparison.Ordinal);
        Assert.Contains("AllowedClientApplications", Assert.IsType<OptionsValidationException>(entraWithoutCallers).Message, StringComparison.Ordinal);
        Assert.Null(hashOnly);
    }

    private static Task<HttpResponseMessage> WithTokenAsync(HttpClient http, string path, string token) =>
        SendAsync(http, path, request => request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token));

    private static async Task<HttpResponseMessage> SendAsync(HttpClient http, string path, Action<HttpRequestMessage> authenticate)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        authenticate(request);
        return await http.SendAsync(request);
    }

    private static string Sha256(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}
