using System.Text.Json;
using RoleMining.Emulator;
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

    [Theory]
    [InlineData("INT", "INT")]
    [InlineData("TERM", "INT")]
    public async Task Two_signals_to_stop_at_once_are_one_request_to_stop_not_a_second_Ctrl_C(string first, string second)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        // `timeout -s INT` signals the process and then its process group: the program sees one SIGINT after the other;
        // a service manager may send SIGTERM while someone presses Ctrl+C.
        // A listing to --out that takes a while (100 pages, each answered after 200 ms): stopped, it must remove its
        // temporary file and say so; killed by the second signal, it would leave the file and exit without a word. (Two
        // signals sent together often arrive as one, so without the fix this failed about one run in five here.)
        await using var slow = await EmulatorServer.StartAsync(new EmulatorOptions
        {
            RateLimit = { Enabled = false },
            Tenant = { AdditionalPotentialRoleIdentityCounts = [25_000] },
            Faults = { Default = { Latency = TimeSpan.FromMilliseconds(200) } },
        });
        var role = slow.Tenant.Sessions.SelectMany(session => session.PotentialRoles).Single(role => role.IsAdditional);
        var variables = new Dictionary<string, string>
        {
            ["SAIL_BASE_URL"] = slow.BaseAddress.ToString(),
            ["SAIL_CLIENT_ID"] = slow.Options.ClientId,
            ["SAIL_CLIENT_SECRET"] = slow.Options.ClientSecret,
            ["SailPoint__RateLimit__Enabled"] = "false",
        };
        using var directory = new TemporaryDirectory();
        var cli = $"'{ChildProcess.DotnetHost()}' '{Path.Combine(AppContext.BaseDirectory, ChildProcess.Cli)}'";
        var output = directory.Combine("identities.csv");
        var log = Path.Combine(Path.GetTempPath(), $"rolemining-sigint-{Guid.NewGuid():N}.txt");
        // What the process does with each signal when it is sent (Linux), for the message of a failure: a SIGINT ignored by
        // whatever started the tests stays ignored in its children, and the runtime leaves it so.
        var signals = log + ".signals";
        // set -m: a background job of a script without job control would ignore SIGINT altogether (POSIX).
        var script =
            "set -m; "
            + $"{cli} identities --session {role.Session.Id} --role {role.Id} --format csv --out '{output}' > '{log}' 2>&1 & pid=$!; "
            + $"for i in $(seq 1200); do grep -q 'page' '{log}' && break; sleep 0.1; done; "
            + $"grep -E '^Sig(Blk|Ign|Cgt)' /proc/$pid/status > '{signals}' 2>/dev/null; "
            + $"kill -{first} $pid; kill -{second} $pid; wait $pid; echo \"exit=$?\"";

        try
        {
            var result = await ChildProcess.RunAsync("bash", ["-c", script], variables);

            var said = await File.ReadAllTextAsync(log) + (File.Exists(signals) ? "\n--- signal masks when signalled ---\n" + await File.ReadAllTextAsync(signals) : string.Empty);
            Assert.True(result.Output.Trim() == $"exit={ExitCodes.Cancelled}", result + said);
            Assert.Contains("Cancelled.", said, StringComparison.Ordinal);
            Assert.Empty(directory.Files());
            Assert.InRange(slow.Statistics.RequestsForAnyVersion(OperationIds.GetIdentitiesPotentialRole), 1, 99);
        }
        finally
        {
            File.Delete(log);
            File.Delete(signals);
        }
    }

    [Theory]
    [InlineData("csv")]
    [InlineData("json")]
    public async Task A_reader_that_stops_reading_stops_the_command_quietly_with_exit_code_141(string format)
    {
        if (OperatingSystem.IsWindows())
        {
            // The console stream is kept on Windows; no bash to make the pipe.
            return;
        }

        // 100 pages of 250 identities: megabytes of output, far more than a pipe holds.
        await using var large = await EmulatorServer.StartAsync(new EmulatorOptions
        {
            RateLimit = { Enabled = false },
            Tenant = { AdditionalPotentialRoleIdentityCounts = [25_000] },
        });
        var role = large.Tenant.Sessions.SelectMany(session => session.PotentialRoles).Single(role => role.IsAdditional);
        var variables = new Dictionary<string, string>
        {
            ["SAIL_BASE_URL"] = large.BaseAddress.ToString(),
            ["SAIL_CLIENT_ID"] = large.Options.ClientId,
            ["SAIL_CLIENT_SECRET"] = large.Options.ClientSecret,
            ["SailPoint__RateLimit__Enabled"] = "false",
        };
        var cli = $"'{ChildProcess.DotnetHost()}' '{Path.Combine(AppContext.BaseDirectory, ChildProcess.Cli)}'";

        // head reads one line and ends; bash prints the command's own exit code.
        var result = await ChildProcess.RunAsync(
            "bash",
            ["-c", $"{cli} identities --session {role.Session.Id} --role {role.Id} --format {format} | head -c 200 > /dev/null; echo \"exit=${{PIPESTATUS[0]}}\""],
            variables);

        Assert.Equal($"exit={ExitCodes.OutputClosed}", result.Output.Trim());
        Assert.Empty(result.Error);
        // It stopped at the first write after head ended, not after fetching the 100 pages for nobody.
        Assert.InRange(large.Statistics.RequestsForAnyVersion(OperationIds.GetIdentitiesPotentialRole), 1, 10);
    }

    [Theory]
    [InlineData("roles list --help")]
    [InlineData("--version")]
    public async Task Help_and_version_read_only_in_part_end_quietly_with_exit_code_141(string arguments)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        // head -c 0 reads nothing: the text goes to a pipe without a reader, whatever its length.
        var cli = $"'{ChildProcess.DotnetHost()}' '{Path.Combine(AppContext.BaseDirectory, ChildProcess.Cli)}'";
        var result = await ChildProcess.RunAsync("bash", ["-c", $"{cli} {arguments} | head -c 0; echo \"exit=${{PIPESTATUS[0]}}\""]);

        Assert.Equal($"exit={ExitCodes.OutputClosed}", result.Output.Trim());
        Assert.Empty(result.Error);
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
