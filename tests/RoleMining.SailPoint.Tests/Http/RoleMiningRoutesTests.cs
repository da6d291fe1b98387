using System.Net;
using RoleMining.SailPoint.Http;
using RoleMining.SailPoint.Models;
using RoleMining.SailPoint.Tests.Infrastructure;

namespace RoleMining.SailPoint.Tests.Http;

public sealed class RoleMiningRoutesTests
{
    [Theory]
    [InlineData(RoleMiningApiVersion.V2024, "v2024/role-mining-sessions/s1/potential-roles/p1/identities", "getIdentitiesPotentialRole")]
    [InlineData(RoleMiningApiVersion.V2025, "v2025/role-mining-sessions/s1/potential-roles/p1/identities", "getIdentitiesPotentialRole")]
    [InlineData(RoleMiningApiVersion.V2026, "v2026/role-mining-sessions/s1/potential-roles/p1/identities", "getIdentitiesPotentialRole")]
    [InlineData(RoleMiningApiVersion.Beta, "beta/role-mining-sessions/s1/potential-roles/p1/identities", "getIdentitiesPotentialRole")]
    [InlineData(RoleMiningApiVersion.V1, "role-mining-sessions/v1/s1/potential-roles/p1/identities", "getIdentitiesPotentialRoleV1")]
    public void Identity_paths_follow_the_version_layout(RoleMiningApiVersion version, string expectedPath, string expectedOperationId)
    {
        var operation = new RoleMiningRoutes(version).GetPotentialRoleIdentities("s1", "p1", new PageRequest());

        Assert.Equal(expectedPath + "?offset=0&limit=250", operation.RelativeUri);
        Assert.Equal(expectedOperationId, operation.OperationId);
    }

    [Fact]
    public void Every_operation_has_the_path_of_the_spec()
    {
        var routes = new RoleMiningRoutes(RoleMiningApiVersion.V2024);

        Assert.Equal("v2024/role-mining-sessions?offset=0&limit=250", routes.GetSessions(new PageRequest()).RelativeUri);
        Assert.Equal("v2024/role-mining-sessions/s1", routes.GetSession("s1").RelativeUri);
        Assert.Equal("v2024/role-mining-sessions/s1/status", routes.GetSessionStatus("s1").RelativeUri);
        Assert.Equal("v2024/role-mining-sessions/s1/potential-role-summaries?offset=0&limit=250", routes.GetPotentialRoleSummaries("s1", new PageRequest()).RelativeUri);
        Assert.Equal("v2024/role-mining-sessions/s1/potential-role-summaries/p1", routes.GetPotentialRole("s1", "p1").RelativeUri);
        Assert.Equal("v2024/role-mining-sessions/s1/potential-roles/p1/entitlement-popularities?offset=0&limit=250", routes.GetEntitlementPopularities("s1", "p1", new PageRequest()).RelativeUri);
        Assert.Equal("v2024/role-mining-sessions/s1/potential-roles/p1/export-async", routes.StartExport("s1", "p1").RelativeUri);
        Assert.Equal("v2024/role-mining-sessions/s1/potential-roles/p1/export-async/e1", routes.GetExportStatus("s1", "p1", "e1").RelativeUri);
        Assert.Equal("v2024/role-mining-sessions/s1/potential-roles/p1/export-async/e1/download", routes.DownloadExport("s1", "p1", "e1").RelativeUri);
        Assert.Equal(HttpMethod.Post, routes.StartExport("s1", "p1").Method);
        Assert.False(routes.StartExport("s1", "p1").IsIdempotent);
    }

    [Fact]
    public void Paging_parameters_are_encoded()
    {
        var request = new PageRequest { Offset = 500, Limit = 100, Count = true, Filters = "name sw \"A&B\"", Sorters = "-name,id" };

        var uri = new RoleMiningRoutes(RoleMiningApiVersion.V2024).GetSessions(request).RelativeUri;

        Assert.Equal("v2024/role-mining-sessions?offset=500&limit=100&count=true&filters=name%20sw%20%22A%26B%22&sorters=-name%2Cid", uri);
    }

    [Fact]
    public void Ids_are_escaped_as_path_segments() =>
        Assert.Equal("v2024/role-mining-sessions/a%2Fb%3F", new RoleMiningRoutes(RoleMiningApiVersion.V2024).GetSession("a/b?").RelativeUri);

    [Theory]
    [InlineData(".")]
    [InlineData("..")]
    public void Ids_that_escaping_would_leave_as_path_steps_are_refused(string id)
    {
        // Escaped as they are, 'role-mining-sessions/..' would ask for the API's root, and '.' for the session list.
        var routes = new RoleMiningRoutes(RoleMiningApiVersion.V2024);

        Assert.Throws<ArgumentException>(() => routes.GetSession(id));
        Assert.Throws<ArgumentException>(() => routes.GetPotentialRole("s1", id));
        Assert.Throws<ArgumentException>(() => routes.DownloadExport("s1", "p1", id));
    }

    [Theory]
    [InlineData(-1, 10)]
    [InlineData(0, 251)]
    [InlineData(0, -1)]
    public void Out_of_range_paging_is_refused(int offset, int limit) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new RoleMiningRoutes(RoleMiningApiVersion.V2024).GetSessions(new PageRequest { Offset = offset, Limit = limit }));

    [Theory]
    [InlineData(RoleMiningApiVersion.V2024, "true")]
    [InlineData(RoleMiningApiVersion.V1, "true")]
    [InlineData(RoleMiningApiVersion.Beta, null)]
    public async Task The_experimental_header_is_sent_except_on_beta(RoleMiningApiVersion version, string? expected)
    {
        var handler = new StubHandler { Api = (_, _) => Task.FromResult(StubHandler.Json(HttpStatusCode.OK, """{"state":"CREATED"}""")) };
        using var client = TestClients.Create(handler, options => options.ApiVersion = version);

        await client.GetSessionStatusAsync("s1");
        await client.StartExportAsync("s1", "p1", new PotentialRoleExportRequest { IncludeCommonAccess = true });

        Assert.All(handler.ApiRequests, request => Assert.Equal(expected, request.Experimental));
    }

    [Fact]
    public async Task Requests_go_below_the_base_url_and_carry_the_bearer_token()
    {
        var handler = new StubHandler { Api = (_, _) => Task.FromResult(StubHandler.Json(HttpStatusCode.OK, """{"state":"CREATED"}""")) };
        using var client = TestClients.Create(handler, options => options.BaseUrl = new Uri("http://127.0.0.1:5080/isc"));

        await client.GetSessionStatusAsync("s1");

        var request = Assert.Single(handler.ApiRequests);
        Assert.Equal("http://127.0.0.1:5080/isc/v2024/role-mining-sessions/s1/status", request.Uri.AbsoluteUri);
        Assert.Equal("Bearer token-1", request.Authorization);
        Assert.Equal("http://127.0.0.1:5080/isc/oauth/token", Assert.Single(handler.TokenRequests).Uri.AbsoluteUri);
    }
}
