using System.Net;
using RoleMining.Emulator.Tests.Infrastructure;

namespace RoleMining.Emulator.Tests.Api;

public class ExperimentalHeaderTests
{
    private const string ExpectedBody = "{\"error\":\"Experimental Header is missing or invalid.\"}";

    [Theory]
    [InlineData(ApiVersions.V2024, null, HttpStatusCode.BadRequest)]
    [InlineData(ApiVersions.V2025, null, HttpStatusCode.BadRequest)]
    [InlineData(ApiVersions.V2026, null, HttpStatusCode.BadRequest)]
    [InlineData(ApiVersions.V1, null, HttpStatusCode.BadRequest)]
    [InlineData(ApiVersions.V2024, "false", HttpStatusCode.BadRequest)]
    [InlineData(ApiVersions.V2024, "yes", HttpStatusCode.BadRequest)]
    [InlineData(ApiVersions.V2024, "true", HttpStatusCode.OK)]
    [InlineData(ApiVersions.V1, "true", HttpStatusCode.OK)]
    [InlineData(ApiVersions.Beta, null, HttpStatusCode.OK)]
    public async Task The_header_must_be_true_where_the_spec_requires_it(string version, string? headerValue, HttpStatusCode expected)
    {
        await using var server = await Servers.StartAsync();
        using var client = await ApiClient.CreateAsync(server, version);
        var session = server.FirstCreatedSession();
        using var request = client.Request(HttpMethod.Get, $"role-mining-sessions/{session.Id}/potential-role-summaries", experimentalHeader: false);
        if (headerValue is not null)
        {
            request.Headers.Add("X-SailPoint-Experimental", headerValue);
        }

        using var response = await client.Http.SendAsync(request);

        Assert.Equal(expected, response.StatusCode);
        if (expected == HttpStatusCode.BadRequest)
        {
            Assert.Equal(ExpectedBody, await response.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task The_export_create_needs_the_header_too()
    {
        await using var server = await Servers.StartAsync();
        using var client = await ApiClient.CreateAsync(server, ApiVersions.V2025);
        var role = server.FirstCreatedSession().PotentialRoles[0];

        using var response = await client.SendAsync(HttpMethod.Post, Servers.PotentialRolePath(role, "export-async"), experimentalHeader: false);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(ExpectedBody, await response.Content.ReadAsStringAsync());
        Assert.Equal(0, server.Statistics.ExportCreations);
    }
}
