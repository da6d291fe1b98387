using RoleMining.Testing.Processes;

namespace RoleMining.Testing.Publishing;

/// <summary>
/// Publishes the Functions app in Release (`dotnet publish`, what `azd deploy` uploads), for the end-to-end tests and the
/// benchmark that run it under a real host.
/// </summary>
public static class FunctionsAppPublisher
{
    /// <summary>
    /// Publishes into <paramref name="output"/>, with <paramref name="arguments"/> added (a benchmark's variant); returns what
    /// `dotnet publish` printed (the caller checks its exit code).
    /// </summary>
    public static Task<ProcessResult> PublishAsync(string output, IEnumerable<string>? arguments = null) =>
        DotnetPublish.RunAsync("src/RoleMining.Functions/RoleMining.Functions.csproj", output, arguments);
}
