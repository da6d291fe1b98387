using System.Diagnostics;
using System.Text.Json;
using RoleMining.Cli.Hosting;
using RoleMining.Cli.Tests.Infrastructure;

namespace RoleMining.Cli.Tests.Process;

/// <summary>The built program run as a child process: real stdout/stderr, real exit codes, real signals.</summary>
public sealed class ChildProcessTests(EmulatorFixture emulator) : IClassFixture<EmulatorFixture>
{
    private static readonly TimeSpan Budget = TimeSpan.FromMinutes(2);

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

    private Dictionary<string, string> TenantVariables() => new()
    {
        ["SAIL_BASE_URL"] = emulator.Server.BaseAddress.ToString(),
        ["SAIL_CLIENT_ID"] = emulator.Server.Options.ClientId,
        ["SAIL_CLIENT_SECRET"] = emulator.Server.Options.ClientSecret,
        ["SailPoint__RateLimit__Enabled"] = "false",
    };

    /// <summary>Runs <c>dotnet RoleMining.Cli.dll</c> from the test's output folder; sends SIGTERM at the first stdout line <paramref name="signalWhen"/> accepts.</summary>
    private static async Task<CliResult> RunAsync(string[] args, IReadOnlyDictionary<string, string> variables, Func<string, bool>? signalWhen = null)
    {
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "RoleMining.Cli.dll"));
        foreach (var argument in args)
        {
            start.ArgumentList.Add(argument);
        }

        // Nothing of the test process's own SailPoint configuration may reach the child.
        foreach (var name in new[] { "SAIL_BASE_URL", "SAIL_CLIENT_ID", "SAIL_CLIENT_SECRET" })
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in variables)
        {
            start.Environment[name] = value;
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        var output = new System.Text.StringBuilder();
        var signalled = 0;
        process.OutputDataReceived += (_, line) =>
        {
            if (line.Data is null)
            {
                return;
            }

            lock (output)
            {
                output.AppendLine(line.Data);
            }

            if (signalWhen is not null && signalWhen(line.Data) && Interlocked.Exchange(ref signalled, 1) == 0)
            {
                SendTerminate(process.Id);
            }
        };
        process.BeginOutputReadLine();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Budget);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        // The parameterless overload also waits until the redirected output has been read to the end.
        process.WaitForExit();
        var errorText = await error;
        lock (output)
        {
            return new CliResult(process.ExitCode, output.ToString(), errorText);
        }
    }

    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)
            ? host
            : Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";

    /// <summary>What a service manager or <c>docker stop</c> sends. .NET sends only SIGKILL itself, so the kill program does it.</summary>
    private static void SendTerminate(int processId)
    {
        using var kill = System.Diagnostics.Process.Start(new ProcessStartInfo("kill", ["-TERM", processId.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false });
        kill?.WaitForExit();
    }
}
