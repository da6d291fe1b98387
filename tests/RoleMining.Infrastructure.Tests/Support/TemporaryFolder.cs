namespace RoleMining.Infrastructure.Tests.Support;

/// <summary>A new folder under the system temp folder, deleted on dispose.</summary>
internal sealed class TemporaryFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("rolemining-infra-tests-").FullName;

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
