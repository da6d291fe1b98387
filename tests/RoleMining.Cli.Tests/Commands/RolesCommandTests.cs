using System.Text.Json;
using RoleMining.Cli.Hosting;
using RoleMining.Cli.Tests.Infrastructure;

namespace RoleMining.Cli.Tests.Commands;

public sealed class RolesCommandTests(EmulatorFixture emulator) : IClassFixture<EmulatorFixture>
{
    [Fact]
    public async Task A_sorter_or_filter_ISC_does_not_support_is_a_usage_error_before_any_call_for_roles_and_identities()
    {
        var role = emulator.Server.Tenant.Sessions.SelectMany(session => session.PotentialRoles).First();
        var requestsBefore = emulator.Server.Statistics.TotalRequests;

        var roles = await emulator.CreateRunner().RunAsync("roles", "list", "--session", role.Session.Id, "--sort", "name");
        var identities = await emulator.CreateRunner().RunAsync("identities", "--session", role.Session.Id, "--role", role.Id, "--filter", "name sw \"Ab");

        Assert.Equal(ExitCodes.Usage, roles.ExitCode);
        Assert.Contains("--sort 'name'", Assert.Single(roles.ErrorLines), StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Usage, identities.ExitCode);
        Assert.Contains("--filter 'name sw \"Ab'", Assert.Single(identities.ErrorLines), StringComparison.Ordinal);
        Assert.Equal(requestsBefore, emulator.Server.Statistics.TotalRequests);
    }

    [Fact]
    public async Task List_as_json_returns_every_potential_role_of_the_session()
    {
        var session = emulator.Server.Tenant.Sessions.First(session => session.PotentialRoles.Count > 0);

        var result = await emulator.CreateRunner().RunAsync("roles", "list", "--session", session.Id, "--format", "json");

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        using var document = JsonDocument.Parse(result.Output);
        var roles = document.RootElement.EnumerateArray().ToList();
        Assert.Equal(session.PotentialRoles.Select(role => role.Id).Order(), roles.Select(role => role.GetProperty("id").GetString()).Order());
        foreach (var role in roles)
        {
            var expected = session.PotentialRoles.Single(candidate => candidate.Id == role.GetProperty("id").GetString());
            Assert.Equal(expected.IdentityCount, role.GetProperty("identityCount").GetInt32());
        }
    }

    [Fact]
    public async Task List_as_csv_matches_the_tenant()
    {
        var session = emulator.Server.Tenant.Sessions.First(session => session.PotentialRoles.Count > 0);

        var result = await emulator.CreateRunner().RunAsync("roles", "list", "-s", session.Id, "--format", "csv");

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        var (header, rows) = Csv.Parse(result.Output);
        Assert.Equal(["id", "name"], header.Take(2));
        Assert.Equal(session.PotentialRoles.Count, rows.Count);
        foreach (var row in rows)
        {
            var expected = session.PotentialRoles.Single(role => role.Id == row["id"]);
            Assert.Equal(expected.Name, row["name"]);
            Assert.Equal(expected.IdentityCount.ToString(System.Globalization.CultureInfo.InvariantCulture), row["identityCount"]);
            Assert.Equal(expected.Type, row["type"]);
        }
    }
}
