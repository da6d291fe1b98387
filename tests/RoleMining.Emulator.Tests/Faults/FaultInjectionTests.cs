using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Net;
using RoleMining.Emulator.Tests.Infrastructure;

namespace RoleMining.Emulator.Tests.Faults;

public class FaultInjectionTests
{
    [Fact]
    public async Task Latency_delays_the_response_by_at_least_the_configured_time()
    {
        await using var server = await Servers.StartAsync(o => o.Faults.Default.Latency = TimeSpan.FromMilliseconds(300));
        using var client = await ApiClient.CreateAsync(server, ApiVersions.Beta);

        var watch = Stopwatch.StartNew();
        using var response = await client.GetAsync("role-mining-sessions");
        watch.Stop();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(290), TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task A_server_error_share_of_1_answers_500_502_or_503_with_an_ErrorResponseDto()
    {
        await using var server = await Servers.StartAsync(o => o.Faults.Default.ServerErrorShare = 1);
        using var client = await ApiClient.CreateAsync(server, ApiVersions.Beta);

        var statuses = new HashSet<HttpStatusCode>();
        for (var i = 0; i < 30; i++)
        {
            using var response = await client.GetAsync("role-mining-sessions");
            statuses.Add(response.StatusCode);
            await ErrorAssert.IsErrorResponseAsync(response, response.StatusCode);
        }

        Assert.Subset(new HashSet<HttpStatusCode> { HttpStatusCode.InternalServerError, HttpStatusCode.BadGateway, HttpStatusCode.ServiceUnavailable }, statuses);
        Assert.True(statuses.Count >= 2, "30 draws should show more than one of the three statuses");
        Assert.Equal(30, server.Statistics.FaultsInjected);
    }

    [Fact]
    public async Task A_route_entry_applies_to_its_operation_only_and_v1_falls_back_to_it()
    {
        await using var server = await Servers.StartAsync(o => o.Faults.Routes[OperationIds.GetRoleMiningSessionStatus] = new EmulatorRouteFaultOptions { ServerErrorShare = 1 });
        using var v2024 = await ApiClient.CreateAsync(server);
        using var v1 = await ApiClient.CreateAsync(server, ApiVersions.V1);
        var session = server.Tenant.Sessions[0];

        using var status = await v2024.GetAsync($"role-mining-sessions/{session.Id}/status");
        using var statusV1 = await v1.GetAsync($"role-mining-sessions/{session.Id}/status");
        using var sessionResponse = await v2024.GetAsync($"role-mining-sessions/{session.Id}");

        Assert.True((int)status.StatusCode >= 500);
        Assert.True((int)statusV1.StatusCode >= 500);
        Assert.Equal(HttpStatusCode.OK, sessionResponse.StatusCode);
    }

    [Fact]
    public async Task Injected_429s_carry_the_configured_Retry_After()
    {
        await using var server = await Servers.StartAsync(o => o.Faults.Default = new EmulatorRouteFaultOptions
        {
            TooManyRequestsShare = 1,
            TooManyRequestsRetryAfter = TimeSpan.FromSeconds(3),
        });
        using var client = await ApiClient.CreateAsync(server, ApiVersions.Beta);

        using var response = await client.GetAsync("role-mining-sessions");

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal("3", Assert.Single(response.Headers.GetValues("Retry-After")));
        Assert.Equal("{\"message\":\" Rate Limit Exceeded \"}", await response.Content.ReadAsStringAsync());
        Assert.Equal(1, server.Statistics.RateLimitedResponses);
    }

    [Fact]
    public async Task A_connection_reset_aborts_the_connection_before_the_request_takes_effect()
    {
        await using var server = await Servers.StartAsync(o => o.Faults.Routes[OperationIds.ExportRoleMiningPotentialRoleAsync] = new EmulatorRouteFaultOptions { ConnectionResetShare = 1 });
        using var client = await ApiClient.CreateAsync(server);
        var role = server.FirstCreatedSession().PotentialRoles[0];

        await Assert.ThrowsAsync<HttpRequestException>(() => client.SendAsync(HttpMethod.Post, Servers.PotentialRolePath(role, "export-async")));

        Assert.Equal(1, server.Statistics.ConnectionResets);
        Assert.Equal(0, server.Statistics.ExportCreations);
        Assert.Equal(1, server.Statistics.RequestsFor(OperationIds.ExportRoleMiningPotentialRoleAsync));
    }

    [Fact]
    public async Task With_FailAfterHandling_the_request_takes_effect_but_its_response_is_lost()
    {
        await using var server = await Servers.StartAsync(o =>
        {
            o.Faults.Routes[OperationIds.ExportRoleMiningPotentialRoleAsync] = new EmulatorRouteFaultOptions { ConnectionResetShare = 1, FailAfterHandling = true };
            o.Faults.Routes[OperationIds.GetRoleMiningSessions] = new EmulatorRouteFaultOptions { ServerErrorShare = 1, FailAfterHandling = true };
        });
        using var client = await ApiClient.CreateAsync(server);
        var role = server.FirstCreatedSession().PotentialRoles[0];

        await Assert.ThrowsAsync<HttpRequestException>(() => client.SendAsync(HttpMethod.Post, Servers.PotentialRolePath(role, "export-async")));
        using var sessions = await client.GetAsync("role-mining-sessions");

        Assert.Equal(1, server.Statistics.ExportCreationsFor(role.Session.Id, role.Id));
        Assert.True((int)sessions.StatusCode >= 500);
        await ErrorAssert.IsErrorResponseAsync(sessions, sessions.StatusCode);
    }

    [Fact]
    public async Task A_truncated_download_ends_normally_but_lacks_the_end_of_the_zip()
    {
        await using var server = await Servers.StartAsync(o => o.Tenant.AdditionalPotentialRoleIdentityCounts = [500]);
        using var client = await ApiClient.CreateAsync(server);
        var path = Servers.PotentialRolePath(server.RoleWithIdentities(500), "export");
        var complete = await (await client.GetAsync(path)).Content.ReadAsByteArrayAsync();

        server.Faults.Routes[OperationIds.ExportRoleMiningPotentialRole] = new EmulatorRouteFaultOptions { TruncatedDownloadShare = 1, TruncatedDownloadMissingBytes = 100 };
        using var response = await client.GetAsync(path);
        var truncated = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(complete.Length - 100, truncated.Length);
        Assert.Equal(complete.AsSpan(0, truncated.Length).ToArray(), truncated);
        Assert.ThrowsAny<InvalidDataException>(() => new ZipArchive(new MemoryStream(truncated), ZipArchiveMode.Read).Entries.Count);
    }

    [Theory]
    [InlineData(CompressionLevel.Optimal)]
    [InlineData(CompressionLevel.NoCompression)]
    public async Task A_corrupted_download_has_one_flipped_byte_and_fails_when_read(CompressionLevel compression)
    {
        await using var server = await Servers.StartAsync(o =>
        {
            o.Exports.Compression = compression;
            o.Tenant.AdditionalPotentialRoleIdentityCounts = [500];
        });
        using var client = await ApiClient.CreateAsync(server);
        var path = Servers.PotentialRolePath(server.RoleWithIdentities(500), "export");
        var complete = await (await client.GetAsync(path)).Content.ReadAsByteArrayAsync();

        server.Faults.Routes[OperationIds.ExportRoleMiningPotentialRole] = new EmulatorRouteFaultOptions { CorruptedDownloadShare = 1 };
        var corrupted = await (await client.GetAsync(path)).Content.ReadAsByteArrayAsync();

        Assert.Equal(complete.Length, corrupted.Length);
        Assert.Equal(1, complete.Zip(corrupted).Count(pair => pair.First != pair.Second));
        Assert.ThrowsAny<InvalidDataException>(() => ZipContents.Read(corrupted));
    }

    [Fact]
    public async Task Download_faults_apply_to_the_async_download_too()
    {
        var clock = new FakeTimeProvider(TestClock.Start);
        await using var server = await Servers.StartAsync(
            o => o.Faults.Routes[OperationIds.DownloadRoleMiningPotentialRoleZip] = new EmulatorRouteFaultOptions { TruncatedDownloadShare = 1 }, clock);
        using var client = await ApiClient.CreateAsync(server);
        var role = server.FirstCreatedSession().PotentialRoles[0];
        using var created = await client.SendAsync(HttpMethod.Post, Servers.PotentialRolePath(role, "export-async"));
        var exportId = System.Text.Json.JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("exportId").GetString();
        clock.Advance(TimeSpan.FromMinutes(1));

        using var response = await client.GetAsync(Servers.PotentialRolePath(role, $"export-async/{exportId}/download"));
        var bytes = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.ThrowsAny<InvalidDataException>(() => ZipContents.Read(bytes));
    }

    [Fact]
    public async Task Tokens_chosen_for_early_expiry_stop_working_before_expires_in_says()
    {
        var clock = new FakeTimeProvider(TestClock.Start);
        await using var server = await Servers.StartAsync(o =>
        {
            o.Faults.EarlyTokenExpiryShare = 1;
            o.Faults.EarlyTokenLifetime = TimeSpan.FromSeconds(5);
        }, clock);
        using var client = await ApiClient.CreateAsync(server, ApiVersions.Beta);

        using var fresh = await client.GetAsync("role-mining-sessions");
        clock.Advance(TimeSpan.FromSeconds(6));
        using var early = await client.GetAsync("role-mining-sessions");

        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, early.StatusCode);
        Assert.Contains("expired", await early.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Faults_can_be_switched_on_and_off_while_the_server_runs()
    {
        await using var server = await Servers.StartAsync();
        using var client = await ApiClient.CreateAsync(server, ApiVersions.Beta);

        using var before = await client.GetAsync("role-mining-sessions");
        server.Faults.Default.ServerErrorShare = 1;
        using var during = await client.GetAsync("role-mining-sessions");
        server.Faults.Default.ServerErrorShare = 0;
        using var after = await client.GetAsync("role-mining-sessions");

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.True((int)during.StatusCode >= 500);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task The_same_fault_seed_reproduces_the_same_sequence_of_faults()
    {
        async Task<string> RunAsync(int seed)
        {
            await using var server = await Servers.StartAsync(o =>
            {
                o.Faults.Seed = seed;
                o.Faults.Default.ServerErrorShare = 0.3;
                o.Faults.Default.TooManyRequestsShare = 0.2;
            });
            using var client = await ApiClient.CreateAsync(server, ApiVersions.Beta);
            var statuses = new List<int>();
            for (var i = 0; i < 40; i++)
            {
                using var response = await client.GetAsync("role-mining-sessions?limit=1");
                statuses.Add((int)response.StatusCode);
            }

            return string.Join(",", statuses.Select(s => s.ToString(CultureInfo.InvariantCulture)));
        }

        var first = await RunAsync(7);
        var second = await RunAsync(7);
        var other = await RunAsync(8);

        Assert.Equal(first, second);
        Assert.NotEqual(first, other);
        Assert.Contains("200", first, StringComparison.Ordinal);
        Assert.Contains("429", first, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Default_faults_do_not_touch_the_token_endpoint_but_its_own_key_does()
    {
        await using var server = await Servers.StartAsync(o => o.Faults.Default.ServerErrorShare = 1);
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        var form = new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = server.Options.ClientId,
            ["client_secret"] = server.Options.ClientSecret,
        };

        using var unaffected = await http.PostAsync(new Uri("oauth/token", UriKind.Relative), new FormUrlEncodedContent(form));
        server.Faults.Routes[OperationIds.Token] = new EmulatorRouteFaultOptions { ServerErrorShare = 1 };
        using var affected = await http.PostAsync(new Uri("oauth/token", UriKind.Relative), new FormUrlEncodedContent(form));

        Assert.Equal(HttpStatusCode.OK, unaffected.StatusCode);
        Assert.True((int)affected.StatusCode >= 500);
    }
}
