using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;

namespace RoleMining.SailPoint.Bench;

internal static class BenchClients
{
    /// <summary>The client as a host registers it, with the client-side rate limit off (the emulator's is off too).</summary>
    public static ServiceProvider Provider(Uri baseAddress, string clientId, string clientSecret)
    {
        var services = new ServiceCollection();
        services.AddSailPointRoleMining(options =>
        {
            options.BaseUrl = baseAddress;
            options.ClientId = clientId;
            options.ClientSecret = clientSecret;
            options.RateLimit.Enabled = false;
        });
        return services.BuildServiceProvider();
    }

    /// <summary>A plain <see cref="HttpClient"/> with a bearer token, as a caller without this library would write it.</summary>
    public static async Task<HttpClient> PlainAsync(Uri baseAddress, string clientId, string clientSecret)
    {
        var http = new HttpClient { BaseAddress = baseAddress, Timeout = Timeout.InfiniteTimeSpan };
        using var response = await http.PostAsync("oauth/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = clientId,
            ["client_secret"] = clientSecret,
        }));
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        http.DefaultRequestHeaders.Authorization = new("Bearer", body.RootElement.GetProperty("access_token").GetString());
        http.DefaultRequestHeaders.Add("X-SailPoint-Experimental", "true");
        return http;
    }
}
