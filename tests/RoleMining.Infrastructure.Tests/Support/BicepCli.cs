using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json;
using RoleMining.Testing;
using RoleMining.Testing.Processes;

namespace RoleMining.Infrastructure.Tests.Support;

/// <summary>One diagnostic of the Bicep compiler or linter.</summary>
internal sealed record BicepDiagnostic(string File, int Line, string Level, string Rule, string Message)
{
    /// <summary>Errors and warnings fail the check; notes (info-level linter rules) do not.</summary>
    public bool Fails => Level is "error" or "warning";

    public override string ToString() => $"{File}:{Line}: {Level} {Rule}: {Message}";
}

/// <summary>What one Bicep CLI run printed: its exit code and diagnostics.</summary>
internal sealed record BicepRun(int ExitCode, IReadOnlyList<BicepDiagnostic> Diagnostics, string Output);

/// <summary>
/// The real Bicep CLI: the binary of the NuGet package <c>Azure.Bicep.CommandLine.linux-x64</c> that this project
/// downloads (PackageDownload) on Linux x64, else <c>az bicep</c> or <c>bicep</c> on the PATH. Diagnostics are read as
/// SARIF, so each names its file, line and rule.
/// </summary>
internal static class BicepCli
{
    private static readonly Lazy<(string Program, string[] Prefix)?> Found = new(Find);

    /// <summary>Why the CLI cannot run here; null when it can.</summary>
    public static string? Missing => Found.Value is null
        ? $"No Bicep CLI: the NuGet package only carries a binary for linux-x64 (this is {RuntimeInformation.RuntimeIdentifier}), and neither 'az' nor 'bicep' is on the PATH."
        : null;

    /// <summary>Runs <c>bicep build --pattern</c> over <paramref name="root"/> into <paramref name="outputDirectory"/>.</summary>
    public static Task<BicepRun> BuildAsync(string root, string pattern, string outputDirectory) =>
        RunAsync(root, "build", "--pattern", pattern, "--outdir", outputDirectory);

    /// <summary>The ARM template that <c>bicep build</c> makes of one file under the repository root; throws with the
    /// compiler's output when it fails.</summary>
    public static async Task<JsonDocument> CompileAsync(string relativePath)
    {
        using var output = new TemporaryDirectory("rolemining-infra-tests-");
        var build = await BuildAsync(RepositoryPaths.Root, relativePath, output.Path).ConfigureAwait(false);
        if (build.ExitCode != 0)
        {
            throw new InvalidOperationException($"bicep build {relativePath} failed: {build.Output}");
        }

        var template = Directory.EnumerateFiles(output.Path, "*.json", SearchOption.AllDirectories).Single();
        return JsonDocument.Parse(await File.ReadAllTextAsync(template).ConfigureAwait(false));
    }

    /// <summary>Runs <c>bicep lint --pattern</c> over <paramref name="root"/>.</summary>
    public static Task<BicepRun> LintAsync(string root, string pattern) => RunAsync(root, "lint", "--pattern", pattern);

    /// <summary>Runs <c>bicep build-params</c> on a .bicepparam file (it compiles the template it uses too).</summary>
    public static Task<BicepRun> BuildParamsAsync(string parametersFile, string outputFile) =>
        RunAsync(Path.GetDirectoryName(parametersFile)!, "build-params", parametersFile, "--outfile", outputFile);

    /// <summary>
    /// Runs <c>bicep test</c> on a file of <c>test</c> declarations (the CLI's experimental test framework, enabled by a
    /// bicepconfig.json beside that file): the template language evaluated here, without Azure. Returns each test's name
    /// and, for a template whose evaluation failed (a <c>fail()</c> call), the reason the CLI printed; null when it passed.
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, string?>> TestAsync(string testFile)
    {
        var (program, prefix) = Found.Value ?? throw new InvalidOperationException(Missing);
        var result = await ProcessRun.RunAsync(program, [.. prefix, "test", testFile], Path.GetDirectoryName(testFile)!, TimeSpan.FromMinutes(3));
        var outcomes = new Dictionary<string, string?>(StringComparer.Ordinal);
        var lines = result.Output.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var evaluation = System.Text.RegularExpressions.Regex.Match(lines[i], @"^\[.\] Evaluation (?<name>\S+) (?<outcome>Passed|Skipped|Failed)");
            if (!evaluation.Success)
            {
                continue;
            }

            var reason = evaluation.Groups["outcome"].Value == "Passed" || i + 1 >= lines.Length ? null : lines[i + 1].Trim();
            outcomes[evaluation.Groups["name"].Value] = evaluation.Groups["outcome"].Value == "Passed" ? null : reason ?? "no reason printed";
        }

        return outcomes.Count > 0 ? outcomes : throw new InvalidOperationException($"bicep test printed no evaluation ({result.ExitCode}):\n{result.Output}");
    }

    private static async Task<BicepRun> RunAsync(string workingDirectory, params string[] arguments)
    {
        var (program, prefix) = Found.Value ?? throw new InvalidOperationException(Missing);
        var result = await ProcessRun.RunAsync(
            program, [.. prefix, .. arguments, "--diagnostics-format", "sarif"], workingDirectory, TimeSpan.FromMinutes(3));
        return new BicepRun(result.ExitCode, await ReadSarifAsync(result.StandardOutput, workingDirectory), result.Output);
    }

    // With --pattern the CLI prints one SARIF document per file, one after another.
    private static async Task<List<BicepDiagnostic>> ReadSarifAsync(string output, string root)
    {
        var diagnostics = new List<BicepDiagnostic>();
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(output));
        await foreach (var document in JsonSerializer.DeserializeAsyncEnumerable<JsonElement>(stream, topLevelValues: true))
        {
            foreach (var result in document.GetProperty("runs").EnumerateArray().SelectMany(run => run.GetProperty("results").EnumerateArray()))
            {
                var location = result.GetProperty("locations")[0].GetProperty("physicalLocation");
                var file = new Uri(location.GetProperty("artifactLocation").GetProperty("uri").GetString()!).LocalPath;
                diagnostics.Add(new BicepDiagnostic(
                    Path.GetRelativePath(root, file).Replace(Path.DirectorySeparatorChar, '/'),
                    location.GetProperty("region").GetProperty("startLine").GetInt32(),
                    // SARIF leaves "level" out when it is the default, "warning".
                    result.TryGetProperty("level", out var level) ? level.GetString()! : "warning",
                    result.GetProperty("ruleId").GetString()!,
                    result.GetProperty("message").GetProperty("text").GetString()!));
            }
        }

        return diagnostics;
    }

    private static (string Program, string[] Prefix)? Find()
    {
        var bundled = typeof(BicepCli).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(attribute => attribute.Key == "BicepCliPath")?.Value;
        if (RuntimeInformation.RuntimeIdentifier == "linux-x64" && bundled is not null && File.Exists(bundled))
        {
            return (bundled, []);
        }

        if (ProcessRun.FindOnPath("az") is { } az)
        {
            return (az, ["bicep"]);
        }

        return ProcessRun.FindOnPath("bicep") is { } bicep ? (bicep, []) : null;
    }

    /// <summary>A copy of infra/ (templates and bicepconfig.json) in a temporary folder, deleted on dispose.</summary>
    public static TemporaryInfra CopyInfra() => new();

    /// <summary>
    /// Evaluates <paramref name="probe"/> (a template in a folder beside infra/app, so it imports <c>'../app/...'</c>) once
    /// per test case with <c>bicep test</c>: each case is its name and the lines of its <c>params</c> block. Returns what
    /// <see cref="TestAsync"/> returns: each case's failure, or null when it passed.
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, string?>> EvaluateProbeAsync(
        TemporaryInfra infra, string probe, IEnumerable<(string Name, IEnumerable<string> Params)> cases)
    {
        ArgumentNullException.ThrowIfNull(infra);
        var folder = Directory.CreateDirectory(infra.PathOf("infra/probe")).FullName;
        await File.WriteAllTextAsync(Path.Combine(folder, "bicepconfig.json"), """{ "experimentalFeaturesEnabled": { "testFramework": true } }""");
        await File.WriteAllTextAsync(Path.Combine(folder, "probe.bicep"), probe);
        var tests = Path.Combine(folder, "probe.tests.bicep");
        await File.WriteAllLinesAsync(tests, cases.Select(test =>
            $"test {test.Name} 'probe.bicep' = {{\n  params: {{\n{string.Concat(test.Params.Select(line => "    " + line + "\n"))}  }}\n}}"));
        return await TestAsync(tests);
    }
}

/// <summary>A copy of the repository's infra/ folder under a temporary root (<see cref="Root"/>/infra/...).</summary>
internal sealed class TemporaryInfra : IDisposable
{
    private readonly TemporaryDirectory _folder = new();

    public TemporaryInfra()
    {
        var source = RepositoryPaths.Combine("infra");
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(source, file);
            if (relative.Split(Path.DirectorySeparatorChar).Any(segment => segment is "node_modules" or "bin" or "obj"))
            {
                continue;
            }

            var target = Path.Combine(Root, "infra", relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    public string Root => _folder.Path;

    public string PathOf(string relativePath) => Path.Combine(Root, relativePath.Replace('/', Path.DirectorySeparatorChar));

    public void Dispose() => _folder.Dispose();
}
