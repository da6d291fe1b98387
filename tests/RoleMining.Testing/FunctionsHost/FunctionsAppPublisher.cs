using RoleMining.Testing.Processes;

namespace RoleMining.Testing.FunctionsHost;

/// <summary>
/// Publishes the Functions app in Release (`dotnet publish`, what `azd deploy` uploads), for the end-to-end tests and the
/// benchmark that run it under a real host.
/// </summary>
public static class FunctionsAppPublisher
{
    /// <summary>Publishes into <paramref name="output"/>; returns what `dotnet publish` printed (the caller checks its exit code).</summary>
    public static Task<ProcessResult> PublishAsync(string output) => ProcessRun.RunAsync(
        "dotnet",
        ["publish", RepositoryPaths.Combine("src/RoleMining.Functions/RoleMining.Functions.csproj"), "--configuration", "Release", "--output", output, "--nologo", "-nodeReuse:false", "-verbosity:minimal"],
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
}
