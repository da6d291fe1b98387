using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using RoleMining.Emulator.Tests.Infrastructure;

namespace RoleMining.Emulator.Tests.Auth;

public class TokenTests
{
    private static readonly Dictionary<string, string> ValidForm = new()
    {
        ["grant_type"] = "client_credentials",
        ["client_id"] = "rolemining-emulator",
        ["client_secret"] = "rolemining-emulator-secret",
    };

    public static TheoryData<string> TokenRequestForms => ["urlencoded", "multipart", "query", "basic"];

    private static HttpRequestMessage TokenRequest(string form, Dictionary<string, string> values)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "oauth/token");
        switch (form)
        {
            case "urlencoded":
                request.Content = new FormUrlEncodedContent(values);
                break;
            case "multipart":
                var multipart = new MultipartFormDataContent();
                foreach (var (name, value) in values)
                {
                    multipart.Add(new StringContent(value), name);
                }

                request.Content = multipart;
                break;
            case "query":
                request.RequestUri = new Uri("oauth/token?" + string.Join("&", values.Select(v => $"{v.Key}={Uri.EscapeDataString(v.Value)}")), UriKind.Relative);
                break;
            case "basic":
                request.Headers.Authorization = new AuthenticationHeaderValue(
                    "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{values["client_id"]}:{values["client_secret"]}")));
                request.Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = values["grant_type"] });
                break;
        }

        return request;
    }

    [Theory]
    [MemberData(nameof(TokenRequestForms))]
    public async Task A_token_is_issued_for_every_request_form_and_opens_the_api(string form)
    {
        await using var server = await Servers.StartAsync();
        using var http = new HttpClient { BaseAddress = server.BaseAddress };

        using var response = await http.SendAsync(TokenRequest(form, ValidForm));
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var accessToken = body.GetProperty("access_token").GetString();
        using var api = new HttpRequestMessage(HttpMethod.Get, "beta/role-mining-sessions");
        api.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        using var apiResponse = await http.SendAsync(api);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("bearer", body.GetProperty("token_type").GetString());
        Assert.Equal(749, body.GetProperty("expires_in").GetInt32());
        Assert.Equal("sp:scopes:all", body.GetProperty("scope").GetString());
        foreach (var extra in new[] { "tenant_id", "pod", "org", "jti" })
        {
            Assert.False(string.IsNullOrEmpty(body.GetProperty(extra).GetString()), extra);
        }

        Assert.Equal(HttpStatusCode.OK, apiResponse.StatusCode);
        Assert.Equal(1, server.Statistics.TokensIssued);
    }

    [Fact]
    public async Task Every_token_is_a_new_opaque_string()
    {
        await using var server = await Servers.StartAsync();
        using var first = await ApiClient.CreateAsync(server);
        using var second = await ApiClient.CreateAsync(server);

        Assert.NotEqual(first.AccessToken, second.AccessToken);
        Assert.DoesNotContain(server.Options.ClientSecret, first.AccessToken!, StringComparison.Ordinal);
        Assert.DoesNotContain(server.Options.ClientId, first.AccessToken!, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("urlencoded")]
    [InlineData("query")]
    public async Task Wrong_credentials_are_a_401_invalid_client(string form)
    {
        await using var server = await Servers.StartAsync();
        using var http = new HttpClient { BaseAddress = server.BaseAddress };

        using var response = await http.SendAsync(TokenRequest(form, new Dictionary<string, string>(ValidForm) { ["client_secret"] = "wrong" }));
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_client", body.GetProperty("error").GetString());
        Assert.Equal(0, server.Statistics.TokensIssued);
    }

    [Fact]
    public async Task Another_grant_type_is_a_400_unsupported_grant_type()
    {
        await using var server = await Servers.StartAsync();
        using var http = new HttpClient { BaseAddress = server.BaseAddress };

        using var response = await http.SendAsync(TokenRequest("urlencoded", new Dictionary<string, string>(ValidForm) { ["grant_type"] = "password" }));
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("unsupported_grant_type", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Additional_clients_get_tokens_with_their_own_secret()
    {
        await using var server = await Servers.StartAsync(o => o.AdditionalClients["second-client"] = "second-secret");

        using var client = await ApiClient.CreateAsync(server, ApiVersions.Beta, "second-client", "second-secret");

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("role-mining-sessions")).StatusCode);
    }

    [Theory]
    [InlineData(null, "JWT validation failed: JWT is missing")]
    [InlineData("Bearer not-a-token", "JWT validation failed: JWT is invalid")]
    [InlineData("Basic cm9sZW1pbmluZy1lbXVsYXRvcjpyb2xlbWluaW5nLWVtdWxhdG9yLXNlY3JldA==", "JWT validation failed: JWT is missing")]
    public async Task Missing_or_unknown_tokens_are_a_401_with_an_error_body(string? authorization, string error)
    {
        await using var server = await Servers.StartAsync();
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Get, "beta/role-mining-sessions");
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal($"{{\"error\":\"{error}\"}}", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_token_expires_after_its_lifetime_on_the_injected_clock()
    {
        var clock = new FakeTimeProvider(TestClock.Start);
        await using var server = await Servers.StartAsync(o => o.TokenLifetime = TimeSpan.FromSeconds(60), clock);
        using var client = await ApiClient.CreateAsync(server, ApiVersions.Beta);

        using var before = await client.GetAsync("role-mining-sessions");
        clock.Advance(TimeSpan.FromSeconds(59));
        using var justBefore = await client.GetAsync("role-mining-sessions");
        clock.Advance(TimeSpan.FromSeconds(1));
        using var after = await client.GetAsync("role-mining-sessions");

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.OK, justBefore.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        Assert.Equal("{\"error\":\"JWT validation failed: JWT is expired\"}", await after.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Revoking_all_tokens_invalidates_issued_ones_but_not_new_ones()
    {
        await using var server = await Servers.StartAsync();
        using var client = await ApiClient.CreateAsync(server, ApiVersions.Beta);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("role-mining-sessions")).StatusCode);

        server.RevokeAllTokens();
        using var revoked = await client.GetAsync("role-mining-sessions");
        await client.RenewTokenAsync(server.Options.ClientId, server.Options.ClientSecret);
        using var renewed = await client.GetAsync("role-mining-sessions");

        Assert.Equal(HttpStatusCode.Unauthorized, revoked.StatusCode);
        Assert.Equal("{\"error\":\"JWT validation failed: JWT has been revoked\"}", await revoked.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, renewed.StatusCode);
    }

    [Fact]
    public async Task The_token_endpoint_is_not_rate_limited()
    {
        await using var server = await Servers.StartAsync(o =>
        {
            o.RateLimit.Enabled = true;
            o.RateLimit.PermitLimit = 2;
            o.RateLimit.Window = TimeSpan.FromMinutes(1);
        });

        for (var i = 0; i < 5; i++)
        {
            using var client = await ApiClient.CreateAsync(server);
        }

        Assert.Equal(5, server.Statistics.TokensIssued);
        Assert.Equal(0, server.Statistics.RateLimitedResponses);
    }
}
