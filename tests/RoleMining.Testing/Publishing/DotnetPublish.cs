using System.Text.RegularExpressions;
using RoleMining.Testing.Processes;

namespace RoleMining.Testing.Publishing;

/// <summary>Runs `dotnet publish` of a project of the repository, as a test or a benchmark needs it.</summary>
public static partial class DotnetPublish
{
    /// <summary>
    /// Publishes <paramref name="project"/> (a path below the repository root) in Release into <paramref name="output"/>,
    /// with <paramref name="arguments"/> added; returns what `dotnet publish` printed (the caller checks its exit code).
    /// </summary>
    public static Task<ProcessResult> RunAsync(string project, string output, IEnumerable<string>? arguments = null) => ProcessRun.RunAsync(
        "dotnet",
        ["publish", RepositoryPaths.Combine(project), "--configuration", "Release", "--output", output, "--nologo", "-nodeReuse:false", "-verbosity:minimal", .. arguments ?? []],
        RepositoryPaths.Root,
        TimeSpan.FromMinutes(10),
        new Dictionary<string, string?>
        {
            // A caller inside `dotnet test` or `dotnet run` must not leak its MSBuild settings into this build.
            ["MSBuildSDKsPath"] = null,
            ["MSBUILD_EXE_PATH"] = null,
            ["MSBuildExtensionsPath"] = null,
            ["MSBuildLoadMicrosoftTargetsReadOnly"] = null,
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
        });

    /// <summary>The warnings a build printed, one line each (`file(line,col): warning CODE: ...`).</summary>
    public static IReadOnlyList<string> Warnings(ProcessResult build)
    {
        ArgumentNullException.ThrowIfNull(build);
        return build.Output.Split('\n')
            .Where(line => WarningLine().IsMatch(line))
            .Select(line => line.Trim())
            .Distinct(StringComparer.Ordinal)
            .ToList();
    }

    [GeneratedRegex(@":\s+warning\s+[A-Z]+[0-9]+\s*:", RegexOptions.IgnoreCase)]
    private static partial Regex WarningLine();
}
