using System.Runtime.InteropServices;
using RoleMining.Testing.Processes;

namespace RoleMining.Testing.Publishing;

/// <summary>
/// Publishes the rolemining CLI as a Native AOT executable for this machine (`dotnet publish src/RoleMining.Cli -c Release
/// -r linux-x64`, as README.md tells), for the tests that run it and the wire-speed benchmark.
/// </summary>
public static class NativeCliPublisher
{
    /// <summary>The file name of the executable in the publish folder.</summary>
    public const string ExecutableName = "RoleMining.Cli";

    /// <summary>The runtime identifier of this machine (linux-x64, linux-arm64, osx-arm64, ...).</summary>
    public static string RuntimeIdentifier =>
        (OperatingSystem.IsLinux() ? "linux" : OperatingSystem.IsMacOS() ? "osx" : "win") + "-" + RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant();

    /// <summary>
    /// Publishes into <paramref name="output"/>, with every intermediate file under <paramref name="artifacts"/> so that the
    /// build does not share obj/ folders with a build running beside it (other test projects publish the same libraries);
    /// returns what `dotnet publish` printed (the caller checks its exit code).
    /// </summary>
    public static Task<ProcessResult> PublishAsync(string output, string artifacts) =>
        DotnetPublish.RunAsync("src/RoleMining.Cli/RoleMining.Cli.csproj", output, ["--runtime", RuntimeIdentifier, "--artifacts-path", artifacts]);
}
