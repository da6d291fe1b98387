using System.Text.Json;
using System.Text.RegularExpressions;
using RoleMining.Cli.Hosting;
using RoleMining.Cli.Tests.Infrastructure;
using RoleMining.Emulator;
using RoleMining.Testing.Publishing;

namespace RoleMining.Cli.Tests.Native;

/// <summary>
/// The CLI as `dotnet publish -r` makes it, a Native AOT executable, run as a child process. The build's trim and AOT
/// analysis proves what it can (warnings are errors); these runs cover what it cannot: JSON, configuration binding and
/// options validation by generated code, the reflection that ConfigurationShape keeps, CsvHelper, the built-in emulator's
/// ASP.NET Core host.
/// </summary>
public sealed partial class NativeExecutableTests(NativeCliFixture native, EmulatorFixture emulator)
    : IClassFixture<NativeCliFixture>, IClassFixture<EmulatorFixture>, IDisposable
{
    private readonly TemporaryDirectory _directory = new();

    private EmulatorTenant Tenant => emulator.Server.Tenant;

    [Fact]
    public void The_publish_is_a_native_executable_built_without_warnings()
    {
        native.AssertPublished();
        Assert.Empty(DotnetPublish.Warnings(native.Publish));
        Assert.False(File.Exists(Path.Combine(native.OutputDirectory, "RoleMining.Cli.dll")), "a native publish holds no managed entry assembly");
    }

    [Fact]
    public async Task Export_all_without_a_tenant_exports_every_role_of_the_built_in_emulator()
    {
        var result = await RunAsync(
            ["export", "--all"],
            new() { ["Emulator__Tenant__SessionCount"] = "1", ["RoleMining__Exports__Polling__InitialDelay"] = "00:00:00.500" });

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        Assert.StartsWith("No SailPoint tenant configured", result.ErrorLines[0], StringComparison.Ordinal);
        var summary = SummaryLine().Match(result.Output);
        Assert.True(summary.Success, result.Output);
        var manifests = _directory.Files().Where(file => file.StartsWith("exports/", StringComparison.Ordinal) && file.EndsWith("/manifest.json", StringComparison.Ordinal)).ToList();
        Assert.Equal(int.Parse(summary.Groups["succeeded"].Value, System.Globalization.CultureInfo.InvariantCulture), manifests.Count);
        Assert.NotEmpty(manifests);
        using var manifest = JsonDocument.Parse(await File.ReadAllTextAsync(_directory.Combine(manifests[0])));
        Assert.Equal(JsonValueKind.Object, manifest.RootElement.ValueKind);
    }

    [Fact]
    public async Task Identities_as_csv_hold_every_identity_of_a_role_over_several_pages()
    {
        var role = Tenant.PotentialRoles.First(candidate => candidate.IsAdditional && candidate.IdentityCount == EmulatorFixture.ThreePageRoleSize);

        var result = await RunAsync(["identities", "--session", role.Session.Id, "--role", role.Id, "--format", "csv"], emulator.TenantVariables());

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        var (header, rows) = Csv.Parse(result.Output);
        Assert.Equal(["id", "name"], header.Take(2));
        var expected = Tenant.GetIdentities(role).ToList();
        Assert.Equal(expected.Select(identity => identity.Id), rows.Select(row => row["id"]));
        foreach (var (name, value) in expected[^1].Attributes)
        {
            Assert.Equal(value, rows[^1][name]);
        }
    }

    [Fact]
    public async Task Sessions_as_json_are_the_tenant_s_sessions()
    {
        var result = await RunAsync(["sessions", "list", "--format", "json"], emulator.TenantVariables());

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        using var document = JsonDocument.Parse(result.Output);
        var sessions = document.RootElement.EnumerateArray().ToList();
        Assert.Equal(Tenant.Sessions.Select(session => session.Id), sessions.Select(session => session.GetProperty("id").GetString()));
        Assert.Equal(Tenant.Sessions.Select(session => session.State), sessions.Select(session => session.GetProperty("status").GetProperty("state").GetString()));
    }

    [Theory]
    [InlineData("""{ "RoleMining": { "Serve": { "AllowedHosts": "abc" } } }""", "RoleMining:Serve:AllowedHosts must be a list")]
    [InlineData("""{ "SailPoint": { "RateLimit": { "Enabled": { "value": true } } } }""", "SailPoint:RateLimit:Enabled must be a single value")]
    [InlineData("""{ "RoleMining": { "Exports": { "Polling": 5 } } }""", "RoleMining:Exports:Polling must be an object")]
    [InlineData("""{ "SailPoint": { "ApiVersion": "v3" } }""", "SailPoint:ApiVersion must be one of v2024, v2025, v2026, beta, v1.")]
    [InlineData("""{ "RoleMining": { "Exports": { "MaxConcurrency": "many" } } }""", "RoleMining:Exports:MaxConcurrency must be a whole number")]
    public async Task A_setting_of_the_wrong_type_is_named_by_its_key(string json, string expected)
    {
        await File.WriteAllTextAsync(_directory.Combine("settings.json"), json);

        var result = await RunAsync(["export", "--all", "--config", "settings.json"], emulator.TenantVariables());

        Assert.Equal(ExitCodes.Configuration, result.ExitCode);
        Assert.Contains(expected, Assert.Single(result.ErrorLines), StringComparison.Ordinal);
        Assert.False(Directory.Exists(_directory.Combine("exports")), "nothing may be exported");
    }

    public void Dispose() => _directory.Dispose();

    private Task<CliResult> RunAsync(IReadOnlyList<string> args, Dictionary<string, string> variables)
    {
        native.AssertPublished();
        return ChildProcess.RunAsync(native.Executable, args, variables, _directory.Path);
    }

    [GeneratedRegex(@"(?<succeeded>\d+) succeeded, 0 failed\.")]
    private static partial Regex SummaryLine();
}
