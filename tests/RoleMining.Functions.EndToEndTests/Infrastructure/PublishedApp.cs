using System.Text.RegularExpressions;
using RoleMining.Testing.FunctionsHost;
using RoleMining.Testing.Publishing;
using RoleMining.Testing.Processes;

namespace RoleMining.Functions.EndToEndTests.Infrastructure;

/// <summary>
/// The Functions app published in Release (`dotnet publish`, what `azd deploy` uploads), once per test run, into a
/// temporary folder. The tests of the publish output and the host tests share it.
/// </summary>
public sealed partial class PublishedApp
{
    private static readonly Lazy<Task<PublishedApp>> Instance = new(PublishAsync);

    private PublishedApp(string directory, ProcessResult build)
    {
        Directory = directory;
        Build = build;
    }

    /// <summary>The publish folder.</summary>
    public string Directory { get; }

    /// <summary>What `dotnet publish` printed.</summary>
    public ProcessResult Build { get; }

    /// <summary>The warnings of the build, one line each (`file(line,col): warning CODE: ...`).</summary>
    public IReadOnlyList<string> Warnings => Build.Output.Split('\n')
        .Where(line => WarningLine().IsMatch(line))
        .Select(line => line.Trim())
        .Distinct(StringComparer.Ordinal)
        .ToList();

    /// <summary>The published app (published on first use).</summary>
    public static Task<PublishedApp> GetAsync() => Instance.Value;

    /// <summary>A file of the publish output.</summary>
    public string PathOf(string relativePath) => Path.Combine(Directory, relativePath.Replace('/', Path.DirectorySeparatorChar));

    private static async Task<PublishedApp> PublishAsync()
    {
        var output = System.IO.Directory.CreateTempSubdirectory("rolemining-functions-publish-").FullName;
        var build = await FunctionsAppPublisher.PublishAsync(output);
        if (build.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet publish of the Functions app failed ({build.ExitCode}):\n{build.Output}");
        }

        return new PublishedApp(output, build);
    }

    [GeneratedRegex(@":\s+warning\s+[A-Z]+[0-9]+\s*:", RegexOptions.IgnoreCase)]
    private static partial Regex WarningLine();
}
