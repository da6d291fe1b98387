using System.Collections.Concurrent;

namespace RoleMining.Cli.Exports;

/// <summary>
/// Files this run wrote into its export folder to work in it, which mean nothing without a job (the blob job folder's
/// <see cref="JobIdScopeFile"/>). <see cref="ExportFolderLock"/> removes them with a folder the run created and leaves
/// without jobs; any other file keeps the folder.
/// </summary>
internal sealed class ScaffoldFiles
{
    private readonly ConcurrentDictionary<string, byte> _paths = new(StringComparer.Ordinal);

    /// <summary>The full paths recorded.</summary>
    public IEnumerable<string> Paths => _paths.Keys;

    /// <summary>Records a file this run created.</summary>
    public void Add(string path) => _paths.TryAdd(Path.GetFullPath(path), 0);

    /// <summary>Whether this run recorded <paramref name="path"/>.</summary>
    public bool Contains(string path) => _paths.ContainsKey(Path.GetFullPath(path));
}
