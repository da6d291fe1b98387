using RoleMining.Testing.Processes;
using RoleMining.Testing.Publishing;

namespace RoleMining.Functions.EndToEndTests.Infrastructure;

/// <summary>
/// The Functions app published in Release (`dotnet publish`, what `azd deploy` uploads), once per test run, into a
/// folder of this test project's output. The tests of the publish output and the host tests share it. Each run replaces
/// the last run's (33 MB): a temporary folder per run was never removed, and one run's output is all a failure needs.
/// </summary>
public sealed class PublishedApp
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
    public IReadOnlyList<string> Warnings => DotnetPublish.Warnings(Build);

    /// <summary>The published app (published on first use).</summary>
    public static Task<PublishedApp> GetAsync() => Instance.Value;

    /// <summary>A file of the publish output.</summary>
    public string PathOf(string relativePath) => Path.Combine(Directory, relativePath.Replace('/', Path.DirectorySeparatorChar));

    private static async Task<PublishedApp> PublishAsync()
    {
        var output = Path.Combine(AppContext.BaseDirectory, "published-functions-app");
        if (System.IO.Directory.Exists(output))
        {
            System.IO.Directory.Delete(output, recursive: true);
        }

        System.IO.Directory.CreateDirectory(output);
        var build = await FunctionsAppPublisher.PublishAsync(output);
        if (build.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet publish of the Functions app failed ({build.ExitCode}):\n{build.Output}");
        }

        return new PublishedApp(output, build);
    }
}
