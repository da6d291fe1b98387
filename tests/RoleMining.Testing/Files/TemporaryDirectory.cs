namespace RoleMining.Testing.Files;

/// <summary>A fresh directory under the system temp folder, deleted with everything in it on dispose.</summary>
public sealed class TemporaryDirectory : IDisposable
{
    /// <summary>Creates the directory, named <paramref name="prefix"/> and a random suffix.</summary>
    public TemporaryDirectory(string prefix = "rolemining-tests-")
    {
        Path = Directory.CreateTempSubdirectory(prefix).FullName;
    }

    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    /// <summary>Every file below the directory (or below <paramref name="relativeFolder"/> of it), relative, with forward slashes.</summary>
    public IReadOnlyList<string> Files(string relativeFolder = "")
    {
        var folder = relativeFolder.Length == 0 ? Path : Combine(relativeFolder.Split('/'));
        return Directory.Exists(folder)
            ? Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
                .Select(file => System.IO.Path.GetRelativePath(Path, file).Replace(System.IO.Path.DirectorySeparatorChar, '/'))
                .Order(StringComparer.Ordinal)
                .ToList()
            : [];
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A file still open by a process or test being torn down; the temp folder is cleaned by the OS eventually.
        }
        catch (UnauthorizedAccessException)
        {
            // A test that took the permissions away; as above.
        }
    }
}
