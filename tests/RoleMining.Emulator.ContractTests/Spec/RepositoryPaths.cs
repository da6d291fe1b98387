namespace RoleMining.Emulator.ContractTests.Spec;

/// <summary>Finds files of this repository from a test run, wherever the test binaries were built.</summary>
public static class RepositoryPaths
{
    private static readonly Lazy<string> Root = new(FindRoot);

    /// <summary>The folder that holds <c>Functions.sln</c>.</summary>
    public static string RepositoryRoot => Root.Value;

    /// <summary>The vendored SailPoint OpenAPI files (<c>spec/sailpoint</c>).</summary>
    public static string SailPointSpecFolder => Path.Combine(RepositoryRoot, "spec", "sailpoint");

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Functions.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException(
            $"No folder containing Functions.sln above '{AppContext.BaseDirectory}'; the contract tests read the spec from the repository.");
    }
}
