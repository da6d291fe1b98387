using System.Text.Json;
using RoleMining.Cli.Hosting;
using RoleMining.Cli.Tests.Infrastructure;

namespace RoleMining.Cli.Tests.Process;

/// <summary>The built program run as a child process: real stdout/stderr, real exit codes, real signals.</summary>
public sealed class ChildProcessTests(EmulatorFixture emulator) : IClassFixture<EmulatorFixture>
{
    [Fact]
    public async Task The_program_lists_sessions_as_json_and_exits_0()
    {
        var result = await RunAsync(["sessions", "list", "--format", "json"], TenantVariables());

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        using var document = JsonDocument.Parse(result.Output);
        Assert.Equal(emulator.Server.Tenant.Sessions.Select(session => session.Id), document.RootElement.EnumerateArray().Select(session => session.GetProperty("id").GetString()));
        Assert.Empty(result.Error);
    }

    [Fact]
    public async Task The_program_exits_2_on_bad_arguments()
    {
        var result = await RunAsync(["identities", "--session", "s1"], TenantVariables());

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("--role", result.Error, StringComparison.Ordinal);
        Assert.Empty(result.Output);
    }

    [Fact]
    public async Task SIGTERM_stops_an_export_cleanly_with_exit_code_130()
    {
        if (OperatingSystem.IsWindows())
        {
            // Windows has no SIGTERM to send; Ctrl+C handling is the same code path (the cancellation token), tested in-process.
            return;
        }

        await using var environment = await ExportTestEnvironment.StartAsync(options => options.Exports.QueuedFor = TimeSpan.FromMinutes(5));
        var session = environment.CompleteSession;
        var variables = new Dictionary<string, string>
        {
            ["SAIL_BASE_URL"] = environment.Server.BaseAddress.ToString(),
            ["SAIL_CLIENT_ID"] = environment.Server.Options.ClientId,
            ["SAIL_CLIENT_SECRET"] = environment.Server.Options.ClientSecret,
            ["SailPoint__RateLimit__Enabled"] = "false",
            ["RoleMining__Exports__Polling__InitialDelay"] = "00:00:00.100",
        };

        var result = await RunAsync(
            ["export", "--session", session.Id, "--role", session.PotentialRoles[0].Id, "--out", environment.OutDirectory],
            variables,
            signalWhen: line => line.Contains("waiting for SailPoint", StringComparison.Ordinal));

        Assert.Equal(ExitCodes.Cancelled, result.ExitCode);
        Assert.Contains("Cancelled.", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
        Assert.Empty(environment.CompleteJobFolders(session.Id, session.PotentialRoles[0].Id));
    }

    private Dictionary<string, string> TenantVariables() => emulator.TenantVariables();

    /// <summary>Runs the program; sends SIGTERM at the first stdout line <paramref name="signalWhen"/> accepts.</summary>
    private static Task<CliResult> RunAsync(string[] args, IReadOnlyDictionary<string, string> variables, Func<string, bool>? signalWhen = null)
    {
        var signalled = 0;
        return ChildProcess.RunCliAsync(args, variables, onOutputLine: (line, terminate) =>
        {
            if (signalWhen is not null && signalWhen(line) && Interlocked.Exchange(ref signalled, 1) == 0)
            {
                terminate();
            }
        });
    }
}
