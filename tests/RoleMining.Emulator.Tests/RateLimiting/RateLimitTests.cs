using System.Globalization;
using System.Net;
using Microsoft.Extensions.Time.Testing;
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

        // Retry-After is exact to the window's end; a timer may fire a millisecond early, so a client adds a hair.
        await Task.Delay(TimeSpan.FromSeconds(retryAfter) + TimeSpan.FromMilliseconds(50));
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

    [Fact]
    public async Task A_fixed_window_lets_the_limit_through_on_each_side_of_its_end()
    {
        var clock = new FakeTimeProvider(TestClock.Start);
        await using var server = await Servers.StartAsync(o => Limit(o, 3, EmulatorRateLimitMode.FixedWindow), clock);
        using var client = await ApiClient.CreateAsync(server, ApiVersions.Beta);

        Assert.Equal(new[] { 200 }, await SendAsync(client, 1));     // opens the window
        clock.Advance(TimeSpan.FromMilliseconds(9900));
        Assert.Equal(new[] { 200, 200 }, await SendAsync(client, 2));
        Assert.Equal(1, await RefusedRetryAfterAsync(client));       // 0.1 s to the window's end, rounded up
        clock.Advance(TimeSpan.FromMilliseconds(100));

        // The window ended: three more at once, five admitted within a tenth of a second (the limit is 3 per 10 s).
        Assert.Equal(new[] { 200, 200, 200 }, await SendAsync(client, 3));
        Assert.Equal(10, await RefusedRetryAfterAsync(client));
        Assert.Equal(7, server.Statistics.PeakRequestsPerWindow);   // sent within one window: 2 + 1 refused + 3 + 1 refused
    }

    [Theory]
    [InlineData(EmulatorRateLimitMode.FixedWindow)]
    [InlineData(EmulatorRateLimitMode.SlidingWindow)]
    public async Task Resetting_the_rate_limits_starts_a_new_window_at_the_next_request(EmulatorRateLimitMode mode)
    {
        var clock = new FakeTimeProvider(TestClock.Start);
        await using var server = await Servers.StartAsync(o => Limit(o, 3, mode), clock);
        using var client = await ApiClient.CreateAsync(server, ApiVersions.Beta);
        Assert.Equal(new[] { 200, 200, 200, 429 }, await SendAsync(client, 4));
        clock.Advance(TimeSpan.FromSeconds(6));

        server.ResetRateLimits();

        // The full limit again, and a fixed window now ends 10 s after this request, not 4 s from now as before the reset.
        Assert.Equal(new[] { 200, 200, 200 }, await SendAsync(client, 3));
        Assert.Equal(10, await RefusedRetryAfterAsync(client));
        clock.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(5, await RefusedRetryAfterAsync(client));
    }

    [Fact]
    public async Task A_sliding_window_counts_the_last_window_before_each_request_wherever_it_falls()
    {
        var clock = new FakeTimeProvider(TestClock.Start);
        await using var server = await Servers.StartAsync(o => Limit(o, 3, EmulatorRateLimitMode.SlidingWindow), clock);
        using var client = await ApiClient.CreateAsync(server, ApiVersions.Beta);

        Assert.Equal(new[] { 200 }, await SendAsync(client, 1));
        clock.Advance(TimeSpan.FromSeconds(9));
        Assert.Equal(new[] { 200, 200 }, await SendAsync(client, 2));
        Assert.Equal(1, await RefusedRetryAfterAsync(client));      // the first leaves the window at 10 s
        clock.Advance(TimeSpan.FromSeconds(1));

        // A fixed window would have reset here; the sliding one still holds the two sent at 9 s.
        Assert.Equal(new[] { 200, 429 }, await SendAsync(client, 2));
        Assert.Equal(9, await RefusedRetryAfterAsync(client));
        clock.Advance(TimeSpan.FromSeconds(9));
        Assert.Equal(new[] { 200, 200, 429 }, await SendAsync(client, 3));
    }

    [Theory]
    [InlineData(EmulatorRateLimitMode.FixedWindow)]
    [InlineData(EmulatorRateLimitMode.SlidingWindow)]
    public async Task An_operation_limit_applies_on_top_of_the_clients_and_a_refused_request_counts_against_neither(EmulatorRateLimitMode mode)
    {
        var clock = new FakeTimeProvider(TestClock.Start);
        await using var server = await Servers.StartAsync(
            o =>
            {
                Limit(o, 5, mode);
                o.RateLimit.Operations[OperationIds.GetRoleMiningSessions] = new EmulatorOperationRateLimit { PermitLimit = 2, Window = TimeSpan.FromSeconds(30) };
            },
            clock);
        using var client = await ApiClient.CreateAsync(server, ApiVersions.Beta);
        var session = server.Tenant.Sessions[0].Id;

        Assert.Equal(new[] { 200, 200, 429, 429 }, await SendAsync(client, 4));
        using (var status = await client.GetAsync($"role-mining-sessions/{session}/status"))
        {
            Assert.Equal(HttpStatusCode.OK, status.StatusCode);
        }

        Assert.Equal(30, await RefusedRetryAfterAsync(client));
        clock.Advance(TimeSpan.FromSeconds(10));

        // The client's window has room again, the operation's not yet.
        Assert.Equal(20, await RefusedRetryAfterAsync(client));
        using var other = await client.GetAsync($"role-mining-sessions/{session}");
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    [Fact]
    public async Task A_limit_for_an_operation_the_emulator_does_not_serve_is_refused_at_start()
    {
        var failure = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => Servers.StartAsync(o =>
            o.RateLimit.Operations["getEverything"] = new EmulatorOperationRateLimit { PermitLimit = 1 }));

        Assert.Contains("getEverything", failure.Message, StringComparison.Ordinal);
    }

    private static void Limit(EmulatorOptions options, int permits, EmulatorRateLimitMode mode)
    {
        options.RateLimit.Enabled = true;
        options.RateLimit.PermitLimit = permits;
        options.RateLimit.Window = TimeSpan.FromSeconds(10);
        options.RateLimit.Mode = mode;
    }

    private static async Task<int[]> SendAsync(ApiClient client, int count)
    {
        var statuses = new int[count];
        for (var i = 0; i < count; i++)
        {
            using var response = await client.GetAsync("role-mining-sessions?limit=1");
            statuses[i] = (int)response.StatusCode;
        }

        return statuses;
    }

    private static async Task<int> RefusedRetryAfterAsync(ApiClient client)
    {
        using var response = await client.GetAsync("role-mining-sessions?limit=1");
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        return int.Parse(Assert.Single(response.Headers.GetValues("Retry-After")), CultureInfo.InvariantCulture);
    }
}
