using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace RoleMining.Emulator.Tests.Infrastructure;

/// <summary>An HttpClient for one emulator and API version: it fetches a token and adds the experimental header
/// where the version's spec requires it. Paths are relative to the version's base (e.g. <c>role-mining-sessions</c>).</summary>
internal sealed class ApiClient : IDisposable
{
    private ApiClient(EmulatorServer server, string version, HttpClient http)
    {
        Server = server;
        Version = version;
        Http = http;
    }

    public EmulatorServer Server { get; }

    public string Version { get; }

    public HttpClient Http { get; }

    public string? AccessToken { get; private set; }

    public static async Task<ApiClient> CreateAsync(EmulatorServer server, string version = ApiVersions.V2024, string? clientId = null, string? clientSecret = null)
    {
        var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        var client = new ApiClient(server, version, http);
        await client.RenewTokenAsync(clientId ?? server.Options.ClientId, clientSecret ?? server.Options.ClientSecret);
        return client;
    }

    public async Task RenewTokenAsync(string clientId, string clientSecret)
    {
        using var response = await Http.PostAsync("oauth/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = clientId,
            ["client_secret"] = clientSecret,
        }));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        AccessToken = body.RootElement.GetProperty("access_token").GetString();
    }

    public string PathFor(string resourcePath) => ApiVersions.PathFor(Version, resourcePath);

    public HttpRequestMessage Request(HttpMethod method, string resourcePath, bool experimentalHeader = true)
    {
        var request = new HttpRequestMessage(method, PathFor(resourcePath));
        if (AccessToken is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AccessToken);
        }

        if (experimentalHeader && ApiVersions.RequiresExperimentalHeader(Version))
        {
            request.Headers.Add("X-SailPoint-Experimental", "true");
        }

        return request;
    }

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string resourcePath, HttpContent? content = null, bool experimentalHeader = true)
    {
        using var request = Request(method, resourcePath, experimentalHeader);
        request.Content = content;
        return await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    public Task<HttpResponseMessage> GetAsync(string resourcePath) => SendAsync(HttpMethod.Get, resourcePath);

    /// <summary>GET that must answer 200 with JSON; returns the parsed body.</summary>
    public async Task<JsonElement> GetJsonAsync(string resourcePath)
    {
        using var response = await GetAsync(resourcePath);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {resourcePath}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>POST of an export request; returns the response.</summary>
    public Task<HttpResponseMessage> PostJsonAsync<T>(string resourcePath, T body) =>
        SendAsync(HttpMethod.Post, resourcePath, JsonContent.Create(body));

    public void Dispose() => Http.Dispose();
}
