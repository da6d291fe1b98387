using System.Net;
using System.Text.Json;
using RoleMining.Emulator.Tests.Infrastructure;

namespace RoleMining.Emulator.Tests.Api;

/// <summary>Every emulated operation answers under every base path, counted under the version's operationId.</summary>
public sealed class BasePathTests : IAsyncLifetime
{
    private EmulatorServer _server = null!;

    public async Task InitializeAsync() => _server = await Servers.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public static TheoryData<string> Versions => [.. ApiVersions.All];

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task Every_operation_works_under_the_version_and_is_counted_under_its_operationId(string version)
    {
        using var client = await ApiClient.CreateAsync(_server, version);
        var role = _server.FirstCreatedSession().PotentialRoles[0];
        var session = role.Session;
        var before = _server.Statistics.RequestsByOperation;

        var sessions = await client.GetJsonAsync("role-mining-sessions");
        var single = await client.GetJsonAsync($"role-mining-sessions/{session.Id}");
        var status = await client.GetJsonAsync($"role-mining-sessions/{session.Id}/status");
        var summaries = await client.GetJsonAsync($"role-mining-sessions/{session.Id}/potential-role-summaries");
        var summary = await client.GetJsonAsync($"role-mining-sessions/{session.Id}/potential-role-summaries/{role.Id}");
        var byId = await client.GetJsonAsync($"role-mining-potential-roles/{role.Id}");
        var identities = await client.GetJsonAsync(Servers.PotentialRolePath(role, "identities"));
        var entitlements = await client.GetJsonAsync(Servers.PotentialRolePath(role, "entitlement-popularities"));
        using var created = await client.SendAsync(HttpMethod.Post, Servers.PotentialRolePath(role, "export-async"));
        var exportId = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("exportId").GetString();
        var exportStatus = await client.GetJsonAsync(Servers.PotentialRolePath(role, $"export-async/{exportId}"));
        using var download = await client.GetAsync(Servers.PotentialRolePath(role, $"export-async/{exportId}/download"));
        using var export = await client.GetAsync(Servers.PotentialRolePath(role, "export"));

        Assert.Equal(_server.Tenant.Sessions.Count, sessions.GetArrayLength());
        Assert.Equal(session.Id, single.GetProperty("id").GetString());
        Assert.Equal(session.State, status.GetProperty("state").GetString());
        Assert.Equal(session.PotentialRoles.Count, summaries.GetArrayLength());
        Assert.Equal(role.Id, summary.GetProperty("id").GetString());
        Assert.Equal(role.Id, byId.GetProperty("id").GetString());
        Assert.Equal(role.IdentityCount, identities.GetArrayLength());
        Assert.Equal(role.EntitlementCount, entitlements.GetArrayLength());
        Assert.Equal(HttpStatusCode.Accepted, created.StatusCode);
        Assert.Equal(exportId, exportStatus.GetProperty("exportId").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, download.StatusCode);
        Assert.Equal(HttpStatusCode.OK, export.StatusCode);

        var after = _server.Statistics.RequestsByOperation;
        string[] operations =
        [
            OperationIds.GetRoleMiningSessions, OperationIds.GetRoleMiningSession, OperationIds.GetRoleMiningSessionStatus,
            OperationIds.GetPotentialRoleSummaries, OperationIds.GetPotentialRole, OperationIds.GetRoleMiningPotentialRole,
            OperationIds.GetIdentitiesPotentialRole, OperationIds.GetEntitlementsPotentialRole, OperationIds.ExportRoleMiningPotentialRoleAsync,
            OperationIds.ExportRoleMiningPotentialRoleStatus, OperationIds.DownloadRoleMiningPotentialRoleZip, OperationIds.ExportRoleMiningPotentialRole,
        ];
        foreach (var operation in operations)
        {
            var versioned = OperationIds.ForVersion(operation, version);
            Assert.Equal(1, after.GetValueOrDefault(versioned) - before.GetValueOrDefault(versioned));
        }
    }

    [Theory]
    [InlineData("v2024/role-mining-sessions", "v2024/role-mining-sessions")]
    [InlineData("v1", "role-mining-sessions/v1")]
    public void Paths_are_built_per_version(string expected, string actualFrom)
    {
        var version = expected == "v1" ? ApiVersions.V1 : ApiVersions.V2024;
        Assert.Equal(actualFrom, ApiVersions.PathFor(version, "role-mining-sessions"));
        Assert.Equal("role-mining-potential-roles/v1/abc", ApiVersions.PathFor(ApiVersions.V1, "role-mining-potential-roles/abc"));
    }

    [Theory]
    [InlineData("role-mining-sessions/{unknown}")]
    [InlineData("role-mining-sessions/{unknown}/status")]
    [InlineData("role-mining-sessions/{unknown}/potential-role-summaries")]
    [InlineData("role-mining-sessions/{session}/potential-role-summaries/{unknown}")]
    [InlineData("role-mining-potential-roles/{unknown}")]
    [InlineData("role-mining-sessions/{session}/potential-roles/{unknown}/identities")]
    [InlineData("role-mining-sessions/{session}/potential-roles/{unknown}/entitlement-popularities")]
    [InlineData("role-mining-sessions/{otherSession}/potential-roles/{role}/identities")]
    public async Task Unknown_ids_are_a_404_ErrorResponseDto(string template)
    {
        using var client = await ApiClient.CreateAsync(_server, ApiVersions.V2025);
        var role = _server.FirstCreatedSession().PotentialRoles[0];
        var path = template
            .Replace("{unknown}", Guid.NewGuid().ToString(), StringComparison.Ordinal)
            .Replace("{session}", role.Session.Id, StringComparison.Ordinal)
            .Replace("{otherSession}", _server.Tenant.Sessions[1].Id, StringComparison.Ordinal)
            .Replace("{role}", role.Id, StringComparison.Ordinal);

        using var response = await client.GetAsync(path);

        await ErrorAssert.IsErrorResponseAsync(response, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Every_error_response_has_its_own_tracking_id()
    {
        using var client = await ApiClient.CreateAsync(_server, ApiVersions.Beta);

        using var first = await client.GetAsync("role-mining-sessions/nope");
        using var second = await client.GetAsync("role-mining-sessions/nope");

        var firstId = JsonDocument.Parse(await first.Content.ReadAsStringAsync()).RootElement.GetProperty("trackingId").GetString();
        var secondId = JsonDocument.Parse(await second.Content.ReadAsStringAsync()).RootElement.GetProperty("trackingId").GetString();
        Assert.NotEqual(firstId, secondId);
    }

    [Fact]
    public async Task Unknown_paths_need_a_token_and_are_then_a_404()
    {
        using var anonymous = new HttpClient { BaseAddress = _server.BaseAddress };
        using var client = await ApiClient.CreateAsync(_server, ApiVersions.Beta);

        using var withoutToken = await anonymous.GetAsync(new Uri("v2024/no-such-thing", UriKind.Relative));
        using var withToken = await client.GetAsync("no-such-thing");

        Assert.Equal(HttpStatusCode.Unauthorized, withoutToken.StatusCode);
        await ErrorAssert.IsErrorResponseAsync(withToken, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Another_method_on_a_known_path_is_a_405()
    {
        using var client = await ApiClient.CreateAsync(_server, ApiVersions.Beta);
        using var anonymous = new HttpClient { BaseAddress = _server.BaseAddress };

        using var delete = await client.SendAsync(HttpMethod.Delete, "role-mining-sessions");
        using var getToken = await anonymous.GetAsync(new Uri("oauth/token", UriKind.Relative));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, delete.StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, getToken.StatusCode);
    }
}
