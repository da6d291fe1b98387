using System.Net;
using RoleMining.Api.Tests.Infrastructure;
using RoleMining.Testing.Http;

namespace RoleMining.Api.Tests.Errors;

/// <summary>Unknown sessions, potential roles, jobs, batches and files are 404 problems naming what is missing.</summary>
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

    [Fact]
    public async Task Unknown_path_under_api_is_a_problem()
    {
        using var response = await Host.Client.GetAsync("api/nothing-here");
        await HttpAssert.ProblemAsync(response, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Wrong_method_on_a_route_is_a_405_problem()
    {
        using var response = await Host.Client.DeleteAsync($"api/exports/{UnknownHex}");
        await HttpAssert.ProblemAsync(response, HttpStatusCode.MethodNotAllowed);
    }
}
