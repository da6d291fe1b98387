using System.Diagnostics;

namespace RoleMining.Infrastructure.Tests.Support;

/// <summary>A fact that is skipped, with the reason, when Node.js is not on the PATH (the Bicep syntax gate runs on Node).</summary>
public sealed class RequiresNodeFactAttribute : FactAttribute
{
    private static readonly Lazy<bool> NodeAvailable = new(() => Node.Version() is not null);

    public RequiresNodeFactAttribute()
    {
        if (!NodeAvailable.Value)
        {
            Skip = "Node.js ('node') is not on the PATH: the tree-sitter Bicep syntax gate cannot run (install Node 18+).";
        }
    }
}

/// <summary>Runs Node.js and npm.</summary>
internal static class Node
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    /// <summary>The version of node on the PATH; null when there is none.</summary>
    public static string? Version()
    {
        try
        {
            var result = Run("node", ["--version"], Repository.Root);
            return result.ExitCode == 0 ? result.Output.Trim() : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    /// <summary>Runs a program to completion and returns its exit code and combined output.</summary>
    public static (int ExitCode, string Output) Run(string fileName, IReadOnlyList<string> arguments, string workingDirectory)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{fileName} did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', arguments)} did not finish within {Timeout}.");
        }

        return (process.ExitCode, stdout.GetAwaiter().GetResult() + stderr.GetAwaiter().GetResult());
    }

    /// <summary>Installs infra/tools' pinned packages (package-lock.json) unless they are already there.</summary>
    public static void EnsureBicepToolsInstalled()
    {
        var tools = Repository.PathOf("infra/tools");
        if (Directory.Exists(Path.Combine(tools, "node_modules", "tree-sitter-bicep")))
        {
            return;
        }

        // npm ci installs exactly the locked versions; the packages ship prebuilt binaries, no compiler is needed.
        var npm = OperatingSystem.IsWindows() ? "npm.cmd" : "npm";
        var (exitCode, output) = Run(npm, ["ci", "--no-audit", "--no-fund"], tools);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"npm ci in infra/tools failed ({exitCode}):\n{output}");
        }
    }
}
