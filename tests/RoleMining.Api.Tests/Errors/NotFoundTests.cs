using System.Net;
using RoleMining.Api.Routing;
using RoleMining.Api.Tests.Infrastructure;
using RoleMining.Testing.Http;

namespace RoleMining.Api.Tests.Errors;

/// <summary>
/// Unknown sessions, potential roles, jobs, batches and files are 404 problems naming what is missing; an unknown path is a
/// 404 problem and a wrong method a 405 problem with <c>Allow</c>.
/// </summary>
public sealed class NotFoundTests(SharedApiHost fixture) : IClassFixture<SharedApiHost>
{
    private const string UnknownUuid = "00000000-1111-4222-8333-444444444444";
    private const string UnknownHex = "ffffffffffffffffffffffffffffffff";

    private ApiTestHost Host => fixture.Host;

    [Fact]
    public async Task Unknown_session()
    {
        using var response = await Host.Client.GetAsync($"api/sessions/{UnknownUuid}");
        var problem = await HttpAssert.ProblemAsync(response, HttpStatusCode.NotFound);
        Assert.Equal("RoleMiningSession", (string?)problem["resourceType"]);
        Assert.Equal(UnknownUuid, (string?)problem["resourceId"]);
        Assert.False(string.IsNullOrEmpty((string?)problem["trackingId"]));
    }

    [Fact]
    public async Task Unknown_session_of_potential_roles_and_of_a_session_export()
    {
        using var roles = await Host.Client.GetAsync($"api/sessions/{UnknownUuid}/potential-roles");
        await HttpAssert.ProblemAsync(roles, HttpStatusCode.NotFound);
        using var export = await Host.Client.PostAsync($"api/sessions/{UnknownUuid}/exports", null);
        await HttpAssert.ProblemAsync(export, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Unknown_potential_role_of_identities_and_of_an_export()
    {
        var session = Host.SessionWithRoles();
        using var identities = await Host.Client.GetAsync($"api/sessions/{session.Id}/potential-roles/{UnknownUuid}/identities?all=true");
        var problem = await HttpAssert.ProblemAsync(identities, HttpStatusCode.NotFound);
        Assert.Equal(UnknownUuid, (string?)problem["resourceId"]);

        var creations = Host.Emulator.Statistics.ExportCreations;
        using var export = await Host.Client.PostAsync($"api/sessions/{session.Id}/potential-roles/{UnknownUuid}/exports", null);
        await HttpAssert.ProblemAsync(export, HttpStatusCode.NotFound);
        Assert.Equal(creations, Host.Emulator.Statistics.ExportCreations);
    }

    [Fact]
    public async Task Unknown_job_file_and_batch()
    {
        using var job = await Host.Client.GetAsync($"api/exports/{UnknownHex}");
        Assert.Equal("ExportJob", (string?)(await HttpAssert.ProblemAsync(job, HttpStatusCode.NotFound))["resourceType"]);
        using var artifact = await Host.Client.GetAsync($"api/exports/{UnknownHex}/artifacts/export.zip");
        await HttpAssert.ProblemAsync(artifact, HttpStatusCode.NotFound);
        var session = Host.SessionWithRoles();
        using var batch = await Host.Client.GetAsync($"api/sessions/{session.Id}/exports/{UnknownHex}");
        await HttpAssert.ProblemAsync(batch, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_file_the_job_does_not_list_is_not_served()
    {
        var session = Host.SessionWithRoles();
        var role = session.PotentialRoles[^1];
        using var start = new HttpRequestMessage(HttpMethod.Post, $"api/sessions/{session.Id}/potential-roles/{role.Id}/exports");
        using var done = await new AsyncPatternClient(Host.Client).SendAndFollowAsync(start, TimeSpan.FromSeconds(60));
        var job = await HttpAssert.JsonAsync(done, HttpStatusCode.OK);
        foreach (var name in new[] { "export.zip.tmp", "secret.json", "EXPORT.ZIP" })
        {
            using var response = await Host.Client.GetAsync($"api/exports/{job["jobId"]}/artifacts/{name}");
            var problem = await HttpAssert.ProblemAsync(response, HttpStatusCode.NotFound);
            Assert.Contains("export.zip", (string?)problem["detail"], StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("api/nothing-here")]
    [InlineData("api")]
    [InlineData("api/sessions/a/b/c/d/e/f")]
    public async Task Unknown_path_under_api_is_a_problem_naming_the_path(string path)
    {
        using var response = await Host.Client.GetAsync(path);
        var problem = await HttpAssert.ProblemAsync(response, HttpStatusCode.NotFound);
        Assert.Contains($"'/{path}'", (string?)problem["detail"], StringComparison.Ordinal);
        Assert.False(response.Content.Headers.Contains("Allow"));
    }

    [Fact]
    public async Task A_path_is_named_as_in_the_problems_instance_not_percent_encoded()
    {
        using var response = await Host.Client.GetAsync("api/caf%C3%A9%20x");
        var problem = await HttpAssert.ProblemAsync(response, HttpStatusCode.NotFound);
        Assert.Equal("/api/café x", (string?)problem["instance"]);
        Assert.Contains("'/api/café x'", (string?)problem["detail"], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("DELETE", "api/exports/" + UnknownHex, "GET")]
    [InlineData("POST", "api/exports/" + UnknownHex, "GET")]
    [InlineData("HEAD", "api/sessions", "GET")]
    [InlineData("GET", "api/sessions/" + UnknownUuid + "/exports", "POST")]
    [InlineData("PUT", "api/exports/" + UnknownHex + "/artifacts/export.zip", "GET, HEAD")]
    public async Task Wrong_method_on_a_route_is_a_405_problem_with_allow(string method, string path, string allowed)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method is "POST" or "PUT")
        {
            request.Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
        }

        using var response = await Host.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal(allowed, string.Join(", ", response.Content.Headers.Allow));
        if (method != "HEAD")
        {
            var problem = await HttpAssert.ProblemAsync(response, HttpStatusCode.MethodNotAllowed);
            Assert.Equal($"'/{path}' takes {allowed.Replace(", ", " or ", StringComparison.Ordinal)}, not {method}.", (string?)problem["detail"]);
        }
    }

    [Fact]
    public void Every_route_path_takes_its_own_methods_and_no_other_routes()
    {
        foreach (var route in ApiRoutes.All)
        {
            var path = "/" + ApiRoutes.Prefix + "/" + string.Join('/', route.Template.Split('/').Select(segment => segment.StartsWith('{') ? "x" : segment));
            Assert.Equal(route.Methods, UnroutedRequests.MethodsAt(path));
        }
    }
}
