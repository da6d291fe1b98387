using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using RoleMining.Cli.Hosting;
using RoleMining.Cli.Tests.Infrastructure;
using RoleMining.Cli.Tests.Release;
using RoleMining.Emulator;
using RoleMining.Testing;
using RoleMining.Testing.Processes;
using RoleMining.Testing.Publishing;
using YamlDotNet.RepresentationModel;

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
    public async Task Export_to_a_blob_container_stores_the_verified_files_in_Azurite()
    {
        // The Azure SDK, the connection string and the settings binding, as the AOT compiler left them.
        await using var azurite = await AzuriteServer.StartAsync();
        var role = Tenant.PotentialRoles.First(candidate => candidate.IsAdditional && candidate.IdentityCount == EmulatorFixture.ThreePageRoleSize);
        var variables = emulator.TenantVariables();
        variables["RoleMining__Exports__Blob__ConnectionString"] = azurite.ConnectionString;
        variables["RoleMining__Exports__Polling__InitialDelay"] = "00:00:00.500";

        var containerName = AzuriteFixture.NewContainerName();

        var result = await RunAsync(["export", "--session", role.Session.Id, "--role", role.Id, "--blob-container", containerName], variables);

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        var container = azurite.Blobs().GetBlobContainerClient(containerName);
        var names = new List<string>();
        await foreach (var blob in container.GetBlobsAsync())
        {
            names.Add(blob.Name);
        }

        var manifestName = Assert.Single(names, name => name.EndsWith("/manifest.json", StringComparison.Ordinal));
        using var manifest = JsonDocument.Parse((await container.GetBlobClient(manifestName).DownloadContentAsync()).Value.Content.ToMemory());
        var identitiesFile = manifest.RootElement.GetProperty("files").EnumerateArray().Single(file => file.GetProperty("name").GetString() == "identities.csv");
        var identities = (await container.GetBlobClient(identitiesFile.GetProperty("path").GetString()).DownloadContentAsync()).Value.Content.ToArray();
        Assert.Equal(identitiesFile.GetProperty("sha256").GetString(), Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(identities)));
        Assert.Equal(Tenant.GetIdentities(role).Select(identity => identity.Id), Csv.Parse(System.Text.Encoding.UTF8.GetString(identities)).Rows.Select(row => row["id"]));
        Assert.DoesNotContain(names, name => name.Contains("/.staging/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_container_URL_without_an_identity_to_sign_in_with_ends_in_one_line()
    {
        // Azure.Identity and MSAL as the AOT compiler left them: DefaultAzureCredential runs its chain and reports.
        var result = await RunAsync(["export", "--all", "--blob-container", "https://rolemininguntestedaccount.blob.core.windows.net/exports"], emulator.TenantVariables());

        Assert.True(result.ExitCode == ExitCodes.Failed, result.ToString());
        var line = Assert.Single(result.ErrorLines, line => line.Contains("rolemininguntestedaccount", StringComparison.Ordinal));
        Assert.True(line.StartsWith("No Entra identity could sign in to", StringComparison.Ordinal) || line.Contains("could not be reached", StringComparison.Ordinal), line);
        Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Unexpected error", result.Error, StringComparison.Ordinal);
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

    [Fact]
    public async Task Serve_answers_the_api_streams_csv_runs_an_export_and_stops_on_SIGTERM()
    {
        var session = Tenant.Sessions.First(candidate => candidate.PotentialRoles.Any(role => role.IsAdditional && role.IdentityCount == EmulatorFixture.ThreePageRoleSize));
        var role = session.PotentialRoles.First(candidate => candidate.IsAdditional && candidate.IdentityCount == EmulatorFixture.ThreePageRoleSize);
        var listening = new TaskCompletionSource<(Uri Api, Action Terminate)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var run = RunAsync(
            ["serve", "--urls", "http://127.0.0.1:0", "--out", "exports"],
            new(emulator.TenantVariables()) { ["RoleMining__Exports__Polling__InitialDelay"] = "00:00:00.200" },
            (line, terminate) =>
            {
                if (ListeningLine().Match(line) is { Success: true } match)
                {
                    listening.TrySetResult((new Uri(match.Groups["api"].Value + "/"), terminate));
                }
            });

        // A crash before the listening line ends the wait at once, with the process's output.
        if (await Task.WhenAny(listening.Task, run).WaitAsync(TimeSpan.FromMinutes(1)) == run)
        {
            Assert.Fail($"serve ended before listening: {await run}");
        }

        var (api, terminate) = await listening.Task;
        try
        {
            using var http = new HttpClient { BaseAddress = api };

            using (var reply = await http.GetAsync($"sessions/{session.Id}/potential-roles?limit=abc"))
            {
                Assert.Equal(HttpStatusCode.BadRequest, reply.StatusCode);
                Assert.Equal("application/problem+json", reply.Content.Headers.ContentType?.MediaType);
                using var problem = JsonDocument.Parse(await reply.Content.ReadAsStringAsync());
                Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty("limit", out _), problem.RootElement.ToString());
            }

            // The API's CSV stream (CsvHelper with formula escaping) over the role's three pages.
            using (var request = new HttpRequestMessage(HttpMethod.Get, $"sessions/{session.Id}/potential-roles/{role.Id}/identities?all=true"))
            {
                request.Headers.Accept.ParseAdd("text/csv");
                using var reply = await http.SendAsync(request);
                Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
                var (_, rows) = Csv.Parse(await reply.Content.ReadAsStringAsync());
                Assert.Equal(Tenant.GetIdentities(role).Select(identity => identity.Id), rows.Select(row => row["id"]));
            }

            // An export run by the workflow inside the native process, followed through Location, then its CSV downloaded.
            using var start = await http.PostAsJsonAsync($"sessions/{session.Id}/potential-roles/{role.Id}/exports", new { minEntitlementPopularity = 0 });
            Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
            var location = start.Headers.Location ?? throw new InvalidOperationException("202 without Location");
            for (var polls = 0; ; polls++)
            {
                using var status = await http.GetAsync(location);
                if (status.StatusCode == HttpStatusCode.OK)
                {
                    break;
                }

                Assert.True(status.StatusCode == HttpStatusCode.Accepted && polls < 60, $"{status.StatusCode}: {await status.Content.ReadAsStringAsync()}");
                await Task.Delay(status.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1));
            }

            using (var reply = await http.GetAsync($"{location.OriginalString.TrimEnd('/')}/artifacts/identities.csv"))
            {
                Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
                var (_, rows) = Csv.Parse(await reply.Content.ReadAsStringAsync());
                Assert.Equal(EmulatorFixture.ThreePageRoleSize, rows.Count);
            }
        }
        finally
        {
            // Stops the server whether or not an assertion failed, so that it does not outlive the test.
            terminate();
        }

        var result = await run;
        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{ "RoleMining": { "Serve": { "AllowedHosts": "abc" } } }""", "RoleMining:Serve:AllowedHosts must be a list")]
    [InlineData("""{ "SailPoint": { "RateLimit": { "Enabled": { "value": true } } } }""", "SailPoint:RateLimit:Enabled must be a single value")]
    [InlineData("""{ "RoleMining": { "Exports": { "Polling": 5 } } }""", "RoleMining:Exports:Polling must be an object")]
    [InlineData("""{ "SailPoint": { "ApiVersion": "v3" } }""", "SailPoint:ApiVersion must be one of v2024, v2025, v2026, beta, v1.")]
    [InlineData("""{ "RoleMining": { "Exports": { "MaxConcurrency": "many" } } }""", "RoleMining:Exports:MaxConcurrency must be a whole number")]
    [InlineData("""{ "RoleMining": { "Exports": { "Blob": { "Container": ["a", "b"] } } } }""", "RoleMining:Exports:Blob:Container must be a single value")]
    public async Task A_setting_of_the_wrong_type_is_named_by_its_key(string json, string expected)
    {
        await File.WriteAllTextAsync(_directory.Combine("settings.json"), json);

        var result = await RunAsync(["export", "--all", "--config", "settings.json"], emulator.TenantVariables());

        Assert.Equal(ExitCodes.Configuration, result.ExitCode);
        Assert.Contains(expected, Assert.Single(result.ErrorLines), StringComparison.Ordinal);
        Assert.False(Directory.Exists(_directory.Combine("exports")), "nothing may be exported");
    }

    [Fact]
    public async Task The_release_workflow_steps_smoke_test_and_package_this_executable_as_rolemining()
    {
        native.AssertPublished();
        // The steps of .github/workflows/release.yml that run after its publish, as its runner for this platform runs
        // them (bash -eo pipefail, matrix values substituted), on this publish: what the workflow itself cannot run here.
        var job = ReleaseWorkflow.Job("native");
        var rid = NativeCliPublisher.RuntimeIdentifier;
        var matrix = ((YamlSequenceNode)job["strategy"]["matrix"]["include"]).Children.Cast<YamlMappingNode>()
            .SingleOrDefault(entry => (string?)entry["rid"] == rid) ?? throw new Xunit.Sdk.XunitException($"The release matrix has no {rid}.");
        var steps = ReleaseWorkflow.Steps(job);
        // The publish the workflow runs is the one these tests run (NativeCliPublisher) and README.md gives.
        Assert.Equal("dotnet publish src/RoleMining.Cli -c Release -r ${{ matrix.rid }} -o publish -p:Version=${{ steps.version.outputs.version }}", (string?)steps["Publish"]["run"]);
        Directory.CreateSymbolicLink(_directory.Combine("publish"), native.OutputDirectory);
        File.Copy(RepositoryPaths.Combine("README.md"), _directory.Combine("README.md"));
        Directory.CreateDirectory(_directory.Combine(".github"));
        File.Copy(RepositoryPaths.Combine(".github/release-version.sh"), _directory.Combine(".github/release-version.sh"));
        var variables = new Dictionary<string, string?>
        {
            ["GITHUB_REF_TYPE"] = "tag",
            ["GITHUB_REF_NAME"] = "v9.8.7-rc.1",
            ["Emulator__Tenant__SessionCount"] = "1",
            ["RoleMining__Exports__Polling__InitialDelay"] = "00:00:00.500",
        };

        // The Version step writes the version to GITHUB_OUTPUT; the later steps read it as steps.version.outputs.version.
        variables["GITHUB_OUTPUT"] = _directory.Combine("github-output");
        var versionStep = await ProcessRun.RunAsync("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", (string)steps["Version"]["run"]!], _directory.Path, TimeSpan.FromMinutes(1), variables);
        Assert.True(versionStep.ExitCode == 0, versionStep.Output);
        var version = File.ReadAllLines(_directory.Combine("github-output")).Single(line => line.StartsWith("version=", StringComparison.Ordinal))["version=".Length..];
        Assert.Equal("9.8.7-rc.1", version);
        foreach (var name in new[] { "Export from the built-in emulator with the published executable", "Package" })
        {
            var script = ((string?)steps[name]["run"])!.Replace("${{ matrix.rid }}", rid, StringComparison.Ordinal)
                .Replace("${{ matrix.archive }}", (string?)matrix["archive"], StringComparison.Ordinal)
                .Replace("${{ steps.version.outputs.version }}", version, StringComparison.Ordinal);
            var step = await ProcessRun.RunAsync("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", script], _directory.Path, TimeSpan.FromMinutes(3), variables);
            Assert.True(step.ExitCode == 0, $"The step '{name}' failed ({step.ExitCode}):\n{step.Output}");
        }

        var archive = Assert.Single(Directory.GetFiles(_directory.Combine("dist")));
        Assert.Equal($"rolemining-9.8.7-rc.1-{rid}.{(string?)matrix["archive"]}", Path.GetFileName(archive));
        var unpacked = Directory.CreateDirectory(_directory.Combine("unpacked")).FullName;
        var untar = await ProcessRun.RunAsync("tar", ["-xf", archive, "-C", unpacked], _directory.Path, TimeSpan.FromMinutes(1));
        Assert.True(untar.ExitCode == 0, untar.Output);
        var folder = Path.Combine(unpacked, $"rolemining-9.8.7-rc.1-{rid}");
        var executable = OperatingSystem.IsWindows() ? "rolemining.exe" : "rolemining";
        Assert.Equal(["README.md", executable], Directory.GetFiles(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        if (!OperatingSystem.IsWindows())
        {
            Assert.True(File.GetUnixFileMode(Path.Combine(folder, executable)).HasFlag(UnixFileMode.UserExecute), "the packaged rolemining is not executable");
        }

        var help = await ProcessRun.RunAsync(Path.Combine(folder, executable), ["--help"], _directory.Path, TimeSpan.FromMinutes(1));
        Assert.True(help.ExitCode == 0 && help.StandardOutput.Contains("export", StringComparison.Ordinal), help.Output);
    }

    public void Dispose() => _directory.Dispose();

    private Task<CliResult> RunAsync(IReadOnlyList<string> args, Dictionary<string, string> variables, Action<string, Action>? onOutputLine = null)
    {
        native.AssertPublished();
        return ChildProcess.RunAsync(native.Executable, args, variables, _directory.Path, onOutputLine);
    }

    [GeneratedRegex(@"(?<succeeded>\d+) succeeded, 0 failed\.")]
    private static partial Regex SummaryLine();

    [GeneratedRegex(@"listening on (?<api>http://127\.0\.0\.1:\d+/api)")]
    private static partial Regex ListeningLine();
}
