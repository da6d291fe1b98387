using System.Net;
using RoleMining.Emulator.Tests.Infrastructure;

namespace RoleMining.Emulator.Tests.Diagnostics;

public class StatisticsTests
{
    [Fact]
    public async Task Concurrent_requests_are_all_counted_per_operation_and_status_and_Reset_zeroes_everything()
    {
        await using var server = await Servers.StartAsync();
        using var client = await ApiClient.CreateAsync(server);
        var role = server.FirstCreatedSession().PotentialRoles[0];

        var responses = await Task.WhenAll(Enumerable.Range(0, 40).Select(async i =>
        {
            using var response = i % 4 == 0
                ? await client.GetAsync("role-mining-sessions/unknown")
                : await client.GetAsync(Servers.PotentialRolePath(role, "identities") + "?limit=5");
            return response.StatusCode;
        }));
        using var created = await client.SendAsync(HttpMethod.Post, Servers.PotentialRolePath(role, "export-async"));

        Assert.Equal(30, responses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(1 + 40 + 1, server.Statistics.TotalRequests);
        Assert.Equal(1, server.Statistics.RequestsFor(OperationIds.Token));
        Assert.Equal(30, server.Statistics.RequestsFor(OperationIds.GetIdentitiesPotentialRole));
        Assert.Equal(30, server.Statistics.RequestsForAnyVersion(OperationIds.GetIdentitiesPotentialRole));
        Assert.Equal(10, server.Statistics.RequestsFor(OperationIds.GetRoleMiningSession));
        Assert.Equal(31, server.Statistics.ResponsesWith(200));
        Assert.Equal(10, server.Statistics.ResponsesWith(404));
        Assert.Equal(1, server.Statistics.ResponsesWith(202));
        Assert.Equal(1, server.Statistics.TokensIssued);
        Assert.Equal(1, server.Statistics.ExportCreations);
        Assert.Equal(1, server.Statistics.ExportCreationsByPotentialRole[(role.Session.Id, role.Id)]);

        server.Statistics.Reset();

        Assert.Equal(0, server.Statistics.TotalRequests);
        Assert.Empty(server.Statistics.RequestsByOperation);
        Assert.Empty(server.Statistics.ResponsesByStatusCode);
        Assert.Equal(0, server.Statistics.TokensIssued);
        Assert.Equal(0, server.Statistics.ExportCreationsFor(role.Session.Id, role.Id));
    }

    [Fact]
    public async Task Requests_to_unknown_routes_count_as_unknown()
    {
        await using var server = await Servers.StartAsync();
        using var client = await ApiClient.CreateAsync(server, ApiVersions.Beta);

        using var response = await client.GetAsync("nothing-here");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(1, server.Statistics.RequestsFor("unknown"));
    }
}
