namespace RoleMining.Infrastructure.Tests.Support;

/// <summary>Paths in the repository, found from the test assembly's folder upwards.</summary>
internal static class Repository
{
    private static readonly Lazy<string> RootPath = new(FindRoot);

    /// <summary>The folder that holds Functions.sln.</summary>
    public static string Root => RootPath.Value;

    /// <summary>A path under the root, from '/'-separated segments.</summary>
    public static string PathOf(string relativePath) =>
        Path.Combine(Root, relativePath.Replace('/', Path.DirectorySeparatorChar));

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

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Functions.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"Functions.sln not found above {AppContext.BaseDirectory}.");
    }
}
