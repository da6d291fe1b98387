using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace RoleMining.Cli.Tests.Infrastructure;

/// <summary>
/// Runs a built program of the test's output folder (<c>RoleMining.Cli.dll</c>, <c>RoleMining.Emulator.dll</c>), or an
/// executable given by its path (the Native AOT CLI), as a child process: real standard output and error, real exit codes,
/// real signals. Nothing of the test process's own SailPoint configuration reaches the child.
/// </summary>
public static class ChildProcess
{
    public const string Cli = "RoleMining.Cli.dll";
    public const string Emulator = "RoleMining.Emulator.dll";

    private static readonly TimeSpan Budget = TimeSpan.FromMinutes(3);

    /// <summary>
    /// Runs <paramref name="program"/> with <paramref name="args"/>; calls <paramref name="onOutputLine"/> for every line of
    /// standard output, with a callback that sends SIGTERM to the child.
    /// </summary>
    public static async Task<CliResult> RunAsync(
        string program,
        IReadOnlyList<string> args,
        IReadOnlyDictionary<string, string>? variables = null,
        string? workingDirectory = null,
        Action<string, Action>? onOutputLine = null)
    {
        // A .dll of the output folder runs under the dotnet host; anything else is an executable (the native CLI).
        var managed = program.EndsWith(".dll", StringComparison.OrdinalIgnoreCase);
        var start = new ProcessStartInfo(managed ? DotnetHost() : program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Path.GetTempPath(),
        };
        if (managed)
        {
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, program));
        }

        foreach (var argument in args)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var name in start.Environment.Keys.Where(IsTenantVariable).ToList())
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in variables ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        var output = new StringBuilder();
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

            onOutputLine?.Invoke(line.Data, () => SendTerminate(process.Id));
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

    /// <summary>Runs <c>rolemining</c>.</summary>
    public static Task<CliResult> RunCliAsync(IReadOnlyList<string> args, IReadOnlyDictionary<string, string>? variables = null, string? workingDirectory = null, Action<string, Action>? onOutputLine = null) =>
        RunAsync(Cli, args, variables, workingDirectory, onOutputLine);

    private static bool IsTenantVariable(string name) =>
        name.StartsWith("SAIL_", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("SailPoint__", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("RoleMining__", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("Emulator__", StringComparison.OrdinalIgnoreCase);

    /// <summary>The dotnet host that runs the built programs.</summary>
    public static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)
            ? host
            : Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";

    /// <summary>What a service manager or <c>docker stop</c> sends. .NET sends only SIGKILL itself, so the kill program does it.</summary>
    private static void SendTerminate(int processId)
    {
        using var kill = System.Diagnostics.Process.Start(new ProcessStartInfo("kill", ["-TERM", processId.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false });
        kill?.WaitForExit();
    }
}
