using RoleMining.Testing.Processes;

namespace RoleMining.Testing.FunctionsHost;

/// <summary>Which Azure Functions host runs an app in the end-to-end tests.</summary>
public enum FunctionsHostKind
{
    /// <summary>Azure Functions Core Tools (<c>func</c> on the PATH): developer machines, GitHub Actions.</summary>
    CoreTools,

    /// <summary>The build of the open-source host in <c>shared/functions-host</c> (its <c>run</c> script).</summary>
    SharedHostBuild,
}

/// <summary>A Functions host found on this machine.</summary>
public sealed record FunctionsHostLocation(FunctionsHostKind Kind, string Program);

/// <summary>
/// Finds a Functions host: <c>ROLEMINING_FUNCTIONS_HOST</c> (the <c>run</c> script of a host build, or its folder), else
/// <c>func</c> on the PATH, else <c>shared/functions-host/run</c> beside the repository (in any folder above it, or above
/// the local repository it was cloned from). <see cref="Missing"/> says why when there is none.
/// </summary>
public static class FunctionsHostLocator
{
    /// <summary>The variable that names a host build to use.</summary>
    public const string HostVariable = "ROLEMINING_FUNCTIONS_HOST";

    private static readonly Lazy<FunctionsHostLocation?> Found = new(Find);

    /// <summary>The host to use; null when there is none.</summary>
    public static FunctionsHostLocation? Location => Found.Value;

    /// <summary>Why there is no host (null when there is one), for a skipped test's reason.</summary>
    public static string? Missing => Location is null
        ? $"No Azure Functions host: 'func' (Core Tools) is not on the PATH, {HostVariable} is not set, and no " +
          "shared/functions-host/run was found beside the repository."
        : null;

    private static FunctionsHostLocation? Find()
    {
        if (Environment.GetEnvironmentVariable(HostVariable) is { Length: > 0 } configured)
        {
            var script = Directory.Exists(configured) ? Path.Combine(configured, "run") : configured;
            return File.Exists(script)
                ? new FunctionsHostLocation(FunctionsHostKind.SharedHostBuild, Path.GetFullPath(script))
                : throw new InvalidOperationException($"{HostVariable} names {configured}, which has no 'run' script.");
        }

        if (ProcessRun.FindOnPath("func") is { } func)
        {
            return new FunctionsHostLocation(FunctionsHostKind.CoreTools, func);
        }

        foreach (var start in new[] { RepositoryPaths.Root, ClonedFrom() })
        {
            for (var folder = start is null ? null : new DirectoryInfo(start); folder is not null; folder = folder.Parent)
            {
                var script = Path.Combine(folder.FullName, "shared", "functions-host", "run");
                if (File.Exists(script))
                {
                    return new FunctionsHostLocation(FunctionsHostKind.SharedHostBuild, script);
                }
            }
        }

        return null;
    }

    /// <summary>The local folder this repository was cloned from (its origin), when that is a folder on this machine.</summary>
    private static string? ClonedFrom()
    {
        var config = Path.Combine(RepositoryPaths.Root, ".git", "config");
        if (!File.Exists(config))
        {
            return null;
        }

        var inOrigin = false;
        foreach (var line in File.ReadLines(config).Select(line => line.Trim()))
        {
            if (line.StartsWith('['))
            {
                inOrigin = line == "[remote \"origin\"]";
            }
            else if (inOrigin && line.StartsWith("url", StringComparison.Ordinal) && line.Split('=', 2) is [_, var url])
            {
                var path = url.Trim();
                path = path.StartsWith("file://", StringComparison.Ordinal) ? path["file://".Length..] : path;
                return Path.IsPathRooted(path) && Directory.Exists(path) ? path : null;
            }
        }

        return null;
    }
}
