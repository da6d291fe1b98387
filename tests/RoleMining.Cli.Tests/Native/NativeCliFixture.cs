using RoleMining.Testing.Processes;
using RoleMining.Testing.Publishing;

namespace RoleMining.Cli.Tests.Native;

/// <summary>
/// The rolemining CLI published as a Native AOT executable, once per test class, into a temporary folder (about two
/// minutes on two cores: the AOT compiler compiles the whole program and the framework it uses).
/// </summary>
public sealed class NativeCliFixture : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("rolemining-native-cli-").FullName;

    /// <summary>What `dotnet publish` printed.</summary>
    public ProcessResult Publish { get; private set; } = new(-1, string.Empty, string.Empty);

    /// <summary>The publish folder.</summary>
    public string OutputDirectory => Path.Combine(_directory, "publish");

    /// <summary>The native executable.</summary>
    public string Executable => Path.Combine(OutputDirectory, NativeCliPublisher.ExecutableName);

    public async Task InitializeAsync() =>
        Publish = await NativeCliPublisher.PublishAsync(OutputDirectory, Path.Combine(_directory, "artifacts"));

    public Task DisposeAsync()
    {
        Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }

    /// <summary>Fails the calling test with the publish output when the publish failed.</summary>
    public void AssertPublished() =>
        Assert.True(Publish.ExitCode == 0 && File.Exists(Executable), $"dotnet publish exited with {Publish.ExitCode}:\n{Publish.Output}");
}
