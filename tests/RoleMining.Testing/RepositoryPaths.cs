using System.Reflection;

namespace RoleMining.Testing;

/// <summary>Paths of the repository and of what its build installs, as the build recorded them.</summary>
public static class RepositoryPaths
{
    /// <summary>The folder that holds Functions.sln.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>A path under the root, from '/'-separated segments.</summary>
    public static string Combine(string relativePath)
    {
        ArgumentNullException.ThrowIfNull(relativePath);
        return Path.Combine(Root, relativePath.Replace('/', Path.DirectorySeparatorChar));
    }

    /// <summary>A value the build wrote into this assembly (AssemblyMetadata in the project file); null when absent.</summary>
    internal static string? BuildValue(string key) =>
        typeof(RepositoryPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(attribute => attribute.Key == key)?.Value;

    private static string FindRoot()
    {
        // The test assemblies run from bin/ below the repository; the build-time path is the fallback for copies elsewhere.
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Functions.sln")))
            {
                return folder.FullName;
            }
        }

        return BuildValue("RepositoryRoot") is { } built && File.Exists(Path.Combine(built, "Functions.sln"))
            ? built
            : throw new InvalidOperationException($"Functions.sln not found above {AppContext.BaseDirectory}.");
    }
}
