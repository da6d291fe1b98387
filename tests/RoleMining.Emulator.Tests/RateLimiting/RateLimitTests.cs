using System.Globalization;
using System.Net;
using RoleMining.Emulator.Tests.Infrastructure;

namespace RoleMining.Emulator.Tests.RateLimiting;

public class RateLimitTests
{
    private static Task<EmulatorServer> StartLimitedAsync(int permits, TimeSpan window) => Servers.StartAsync(o =>
    {
        o.RateLimit.Enabled = true;
        o.RateLimit.PermitLimit = permits;
        o.RateLimit.Window = window;
        o.AdditionalClients["other-client"] = "other-secret";
    });

    [Fact]
    public async Task The_101st_request_in_a_window_is_a_429_with_Retry_After_and_ISCs_body()
    {
        // A long window, so that the 101 requests surely fall into one window even on a slow machine.
        await using var server = await StartLimitedAsync(100, TimeSpan.FromMinutes(1));
        using var client = await ApiClient.CreateAsync(server, ApiVersions.Beta);

        for (var i = 0; i < 100; i++)
        {
            using var allowed = await client.GetAsync("role-mining-sessions?limit=1");
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        }

        using var limited = await client.GetAsync("role-mining-sessions?limit=1");

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal("{\"message\":\" Rate Limit Exceeded \"}", await limited.Content.ReadAsStringAsync());
        var retryAfter = int.Parse(Assert.Single(limited.Headers.GetValues("Retry-After")), CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 61);
        Assert.Equal(1, server.Statistics.RateLimitedResponses);
    }

    [Fact]
    public async Task Another_client_has_its_own_window()
    {
        await using var server = await StartLimitedAsync(3, TimeSpan.FromMinutes(1));
        using var busy = await ApiClient.CreateAsync(server, ApiVersions.Beta);
        using var other = await ApiClient.CreateAsync(server, ApiVersions.Beta, "other-client", "other-secret");

        for (var i = 0; i < 3; i++)
        {
            (await busy.GetAsync("role-mining-sessions")).Dispose();
        }

        using var busyLimited = await busy.GetAsync("role-mining-sessions");
        using var otherAllowed = await other.GetAsync("role-mining-sessions");

        Assert.Equal(HttpStatusCode.TooManyRequests, busyLimited.StatusCode);
        Assert.Equal(HttpStatusCode.OK, otherAllowed.StatusCode);
    }

    [Fact]
    public async Task A_new_token_of_the_same_client_shares_the_clients_window()
    {
        await using var server = await StartLimitedAsync(2, TimeSpan.FromMinutes(1));
        using var first = await ApiClient.CreateAsync(server, ApiVersions.Beta);
        using var second = await ApiClient.CreateAsync(server, ApiVersions.Beta);

        (await first.GetAsync("role-mining-sessions")).Dispose();
        (await first.GetAsync("role-mining-sessions")).Dispose();
        using var limited = await second.GetAsync("role-mining-sessions");

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
    }

    [Fact]
    public async Task Waiting_Retry_After_gives_a_fresh_window()
    {
        await using var server = await StartLimitedAsync(2, TimeSpan.FromSeconds(1));
        using var client = await ApiClient.CreateAsync(server, ApiVersions.Beta);

        (await client.GetAsync("role-mining-sessions")).Dispose();
        (await client.GetAsync("role-mining-sessions")).Dispose();
        using var limited = await client.GetAsync("role-mining-sessions");
        var retryAfter = int.Parse(Assert.Single(limited.Headers.GetValues("Retry-After")), CultureInfo.InvariantCulture);
        await Task.Delay(TimeSpan.FromSeconds(retryAfter));
        using var allowed = await client.GetAsync("role-mining-sessions");

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.InRange(retryAfter, 1, 2);
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
    }

    [Fact]
    public async Task Nothing_is_limited_when_the_rate_limit_is_off()
    {
        await using var server = await Servers.StartAsync(o =>
        {
            o.RateLimit.Enabled = false;
            o.RateLimit.PermitLimit = 5;
        });
        using var client = await ApiClient.CreateAsync(server, ApiVersions.Beta);

        for (var i = 0; i < 150; i++)
        {
            using var response = await client.GetAsync("role-mining-sessions?limit=1");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(0, server.Statistics.RateLimitedResponses);
    }

    [Fact]
    public async Task Unauthenticated_requests_get_a_401_not_a_429()
    {
        await using var server = await StartLimitedAsync(1, TimeSpan.FromMinutes(1));
        using var http = new HttpClient { BaseAddress = server.BaseAddress };

        for (var i = 0; i < 3; i++)
        {
            using var response = await http.GetAsync(new Uri("beta/role-mining-sessions", UriKind.Relative));
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }
    }
}
