using RoleMining.Testing;

namespace RoleMining.Infrastructure.Tests.Support;

/// <summary>Files in the repository (<see cref="RepositoryPaths"/>), read by the consistency checks.</summary>
internal static class Repository
{
    /// <summary>The folder that holds Functions.sln.</summary>
    public static string Root => RepositoryPaths.Root;

    /// <summary>A path under the root, from '/'-separated segments.</summary>
    public static string PathOf(string relativePath) => RepositoryPaths.Combine(relativePath);

    /// <summary>The text of a file under the root.</summary>
    public static string ReadText(string relativePath) => File.ReadAllText(PathOf(relativePath));

    /// <summary>Every file with <paramref name="extension"/> under <paramref name="relativeFolder"/>, build output excluded.</summary>
    public static IReadOnlyList<string> FilesUnder(string relativeFolder, string extension) =>
        Directory.EnumerateFiles(PathOf(relativeFolder), "*" + extension, SearchOption.AllDirectories)
            .Where(path => !IsBuildOutput(path))
            .Order(StringComparer.Ordinal)
            .ToList();

    private static bool IsBuildOutput(string path)
    {
        var segments = path.Split(Path.DirectorySeparatorChar);
        return segments.Contains("bin") || segments.Contains("obj") || segments.Contains("node_modules");
    }
}
