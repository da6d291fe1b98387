using System.Text.Json;
using RoleMining.Cli.Hosting;
using RoleMining.Cli.Tests.Infrastructure;
using RoleMining.Emulator;

namespace RoleMining.Cli.Tests.Commands;

public sealed class IdentitiesCommandTests(EmulatorFixture emulator) : IClassFixture<EmulatorFixture>
{
    private EmulatorTenant Tenant => emulator.Server.Tenant;

    private TenantPotentialRole RoleWithIdentities(int count) =>
        Tenant.PotentialRoles.First(role => role.IsAdditional && role.IdentityCount == count);

    [Theory]
    [InlineData(EmulatorFixture.PageAndOneRoleSize)]
    [InlineData(EmulatorFixture.ThreePageRoleSize)]
    public async Task Csv_has_id_name_and_the_attribute_columns_and_every_identity_over_several_pages(int size)
    {
        var role = RoleWithIdentities(size);

        var result = await emulator.CreateRunner().RunAsync("identities", "--session", role.Session.Id, "--role", role.Id, "--format", "csv");

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        var (header, rows) = Csv.Parse(result.Output);
        Assert.Equal(["id", "name"], header.Take(2));
        Assert.Equal(Tenant.IdentityAttributeNames.Order(StringComparer.Ordinal), header.Skip(2).Order(StringComparer.Ordinal));
        var expected = Tenant.GetIdentities(role).ToList();
        Assert.Equal(size, rows.Count);
        for (var index = 0; index < expected.Count; index++)
        {
            Assert.Equal(expected[index].Id, rows[index]["id"]);
            Assert.Equal(expected[index].Name, rows[index]["name"]);
            foreach (var (name, value) in expected[index].Attributes)
            {
                Assert.Equal(value, rows[index][name]);
            }
        }
    }

    [Fact]
    public async Task Json_is_one_array_of_every_identity_with_its_attributes()
    {
        var role = RoleWithIdentities(EmulatorFixture.ThreePageRoleSize);

        var result = await emulator.CreateRunner().RunAsync("identities", "-s", role.Session.Id, "-r", role.Id, "--format", "json");

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        using var document = JsonDocument.Parse(result.Output);
        var identities = document.RootElement.EnumerateArray().ToList();
        var expected = Tenant.GetIdentities(role).ToList();
        Assert.Equal(expected.Select(identity => identity.Id), identities.Select(identity => identity.GetProperty("id").GetString()));
        var sample = identities[^1].GetProperty("attributes");
        foreach (var (name, value) in expected[^1].Attributes)
        {
            Assert.Equal(value, sample.GetProperty(name).GetString());
        }
    }

    [Fact]
    public async Task A_role_without_identities_gives_an_empty_array_and_a_header_only_csv()
    {
        var role = RoleWithIdentities(EmulatorFixture.EmptyRoleSize);
        var runner = emulator.CreateRunner();

        var json = await runner.RunAsync("identities", "-s", role.Session.Id, "-r", role.Id, "--format", "json");
        var csv = await runner.RunAsync("identities", "-s", role.Session.Id, "-r", role.Id, "--format", "csv");

        Assert.True(json.ExitCode == ExitCodes.Success, json.ToString());
        Assert.Equal(0, JsonDocument.Parse(json.Output).RootElement.GetArrayLength());
        Assert.True(csv.ExitCode == ExitCodes.Success, csv.ToString());
        Assert.Equal("id,name", csv.Output.Trim());
    }

    [Fact]
    public async Task Filter_and_sort_are_passed_to_the_service()
    {
        var role = RoleWithIdentities(EmulatorFixture.ThreePageRoleSize);

        var result = await emulator.CreateRunner().RunAsync(
            "identities", "-s", role.Session.Id, "-r", role.Id, "--filter", "name sw \"A\"", "--sort", "-name", "--format", "csv");

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        var names = Csv.Parse(result.Output).Rows.Select(row => row["name"]).ToList();
        var expected = Tenant.GetIdentities(role).Select(identity => identity.Name).Where(name => name.StartsWith('A')).ToList();
        Assert.NotEmpty(expected);
        Assert.Equal(expected.OrderDescending(StringComparer.Ordinal), names);
    }

    [Fact]
    public async Task Table_shows_every_identity()
    {
        var role = RoleWithIdentities(EmulatorFixture.PageAndOneRoleSize);

        var result = await emulator.CreateRunner().RunAsync("identities", "-s", role.Session.Id, "-r", role.Id);

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        var lines = result.OutputLines;
        Assert.StartsWith("id", lines[0], StringComparison.Ordinal);
        Assert.Equal(Tenant.GetIdentities(role).Select(identity => identity.Id), lines.Skip(1).Select(line => line.Split(' ')[0]));
    }

    [Theory]
    [InlineData("json")]
    [InlineData("csv")]
    [InlineData("table")]
    public async Task Out_writes_the_file_only_when_complete_and_reports_pages_on_standard_output(string format)
    {
        using var directory = new TemporaryDirectory();
        var role = RoleWithIdentities(EmulatorFixture.ThreePageRoleSize);
        var file = $"identities.{format}";

        var result = await emulator.CreateRunner(directory.Path).RunAsync(
            "identities", "-s", role.Session.Id, "-r", role.Id, "--format", format, "--out", file);

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        Assert.Equal([file], directory.Files());
        var content = await File.ReadAllTextAsync(directory.Combine(file));
        List<string?> ids = format switch
        {
            "json" => [.. JsonDocument.Parse(content).RootElement.EnumerateArray().Select(identity => identity.GetProperty("id").GetString())],
            "csv" => [.. Csv.Parse(content).Rows.Select(row => row["id"])],
            _ => [.. content.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(line => line.Split(' ')[0])],
        };
        Assert.Equal(Tenant.GetIdentities(role).Select(identity => identity.Id), ids);

        // Three pages of 250: plain progress lines (standard output is not a terminal here) for the first and the last page
        // (and the second only if it came 5 s after the first), then the summary.
        Assert.InRange(result.OutputLines.Count(line => line.StartsWith("page ", StringComparison.Ordinal)), 2, 3);
        Assert.Contains("page 1: 250 of 600 identities", result.OutputLines);
        Assert.Contains($"page 3: {EmulatorFixture.ThreePageRoleSize} of {EmulatorFixture.ThreePageRoleSize} identities", result.OutputLines);
        Assert.Contains($"Wrote {EmulatorFixture.ThreePageRoleSize} identities to {file}.", result.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("report.csv", new string[0], "csv")]
    [InlineData("REPORT.JSON", new string[0], "json")]
    [InlineData("report.txt", new string[0], "table")]
    [InlineData("report.csv", new[] { "-f", "JSON" }, "json")] // --format wins over the extension, in any case
    [InlineData("report.json", new[] { "--format", "Table" }, "table")]
    public async Task Without_format_the_out_file_extension_chooses_it(string file, string[] formatOptions, string expected)
    {
        using var directory = new TemporaryDirectory();
        var role = RoleWithIdentities(EmulatorFixture.ThreePageRoleSize);

        var result = await emulator.CreateRunner(directory.Path).RunAsync(
            ["identities", "-s", role.Session.Id, "-r", role.Id, .. formatOptions, "--out", file]);

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        var content = await File.ReadAllTextAsync(directory.Combine(file));
        var expectedIds = Tenant.GetIdentities(role).Select(identity => identity.Id).ToList();
        switch (expected)
        {
            case "json":
                Assert.Equal(expectedIds, JsonDocument.Parse(content).RootElement.EnumerateArray().Select(identity => identity.GetProperty("id").GetString()));
                break;
            case "csv":
                Assert.Equal(expectedIds, Csv.Parse(content).Rows.Select(row => row["id"]));
                break;
            default:
                Assert.StartsWith("id", content, StringComparison.Ordinal);
                Assert.DoesNotContain(",", content.Split('\n')[0], StringComparison.Ordinal);
                Assert.Equal(expectedIds, content.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(line => line.Split(' ')[0]));
                break;
        }
    }

    [Fact]
    public async Task A_failure_leaves_no_output_file()
    {
        using var directory = new TemporaryDirectory();
        var role = RoleWithIdentities(EmulatorFixture.ThreePageRoleSize);

        // The role exists but the session does not: the service refuses the first page, and the started file must vanish.
        var result = await emulator.CreateRunner(directory.Path).RunAsync(
            "identities", "-s", "no-such-session", "-r", role.Id, "--format", "csv", "--out", "identities.csv");

        Assert.Equal(ExitCodes.Failed, result.ExitCode);
        Assert.Empty(directory.Files());
    }
}
