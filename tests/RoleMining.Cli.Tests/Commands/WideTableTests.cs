using System.Globalization;
using RoleMining.Cli.Hosting;
using RoleMining.Cli.Tests.Infrastructure;
using RoleMining.Emulator;

namespace RoleMining.Cli.Tests.Commands;

public sealed class WideTableTests
{
    [Fact]
    public async Task A_table_wider_than_the_output_leaves_columns_out_and_says_which_while_csv_keeps_them_all()
    {
        // 60 extra attributes make identity rows far wider than the 240 characters of redirected output.
        await using var server = await EmulatorServer.StartAsync(new EmulatorOptions { RateLimit = { Enabled = false }, Tenant = { ExtraAttributes = 60, SessionCount = 1 } });
        var role = server.Tenant.PotentialRoles.First(candidate => candidate.IdentityCount > 0);
        var runner = new CliRunner().WithTenant(server.BaseAddress, server.Options.ClientId, server.Options.ClientSecret).With("SailPoint__RateLimit__Enabled", "false");

        var table = await runner.RunAsync("identities", "-s", role.Session.Id, "-r", role.Id);
        var csv = await runner.RunAsync("identities", "-s", role.Session.Id, "-r", role.Id, "--format", "csv");

        Assert.True(table.ExitCode == ExitCodes.Success, table.ToString());
        Assert.All(table.Output.Split('\n'), line => Assert.True(line.TrimEnd().Length <= 240, line));
        var note = Assert.Single(table.ErrorLines);
        Assert.Contains("not shown", note, StringComparison.Ordinal);
        Assert.Contains("extraAttribute60", note, StringComparison.Ordinal);
        Assert.Equal(role.IdentityCount + 1, table.OutputLines.Count);

        Assert.True(csv.ExitCode == ExitCodes.Success, csv.ToString());
        var header = Csv.Parse(csv.Output).Header;
        Assert.Equal(server.Tenant.IdentityAttributeNames.Count + 2, header.Count);
        Assert.Contains("extraAttribute" + 60.ToString("00", CultureInfo.InvariantCulture), header);
        Assert.Empty(csv.Error);
    }
}
