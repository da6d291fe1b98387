namespace RoleMining.Emulator.ContractTests.TestSupport;

/// <summary>A throw-away folder of YAML files, for testing $ref resolution and schema rules the vendored spec does not use.</summary>
public sealed class TemporarySpecFolder : IDisposable
{
    public TemporarySpecFolder()
    {
        Root = Path.Combine(Path.GetTempPath(), "rolemining-contract-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    public string Write(string relativePath, string yaml)
    {
        var path = Path.Combine(Root, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, yaml);
        return path;
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
