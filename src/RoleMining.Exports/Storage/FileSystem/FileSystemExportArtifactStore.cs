using System.Runtime.CompilerServices;

namespace RoleMining.Exports.Storage.FileSystem;

/// <summary>
/// Artifacts as files under a root folder. Staging files are written in place; publishing renames them over the final
/// name, which is atomic on one volume: a reader sees the old file, the new one, or none, never part of one. A staging
/// write that is given up deletes its file (<see cref="StagingFileStream"/>).
/// </summary>
/// <remarks>
/// Folders live as long as they hold a file, as the prefixes of blob names do: a delete or a publish removes the folders
/// it empties (never the root), so that a failed or removed job leaves no empty job, role or session folder behind. A
/// writer whose folder is removed between its creation and the file's (by a delete emptying a sibling's parent) creates it
/// again (<see cref="InFolder{T}(string, ExportFileAccess, string, Func{T})"/>).
/// </remarks>
public sealed class FileSystemExportArtifactStore : IExportArtifactStore
{
    private const int ReadBufferSize = 81920;

    /// <summary>
    /// Staging writes are not buffered: the writers hand over large pieces (the download's 256 KB blocks, an entry's part of
    /// one, a serialized manifest), which FileStream passes straight to the file even when it has a buffer; one would be
    /// allocated (80 KB per file) only for the few small pieces, such as the bytes of an entry that end at a block's edge.
    /// </summary>
    private const int UnbufferedWrites = 0;
    private readonly string _root;
    private readonly ExportFileAccess _access;

    /// <summary>Creates a store in <paramref name="root"/> (created if missing); new files and folders get <paramref name="access"/>.</summary>
    public FileSystemExportArtifactStore(string root, ExportFileAccess access = ExportFileAccess.Owner)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        // Without its trailing separator ('--out exports/'), or no path would be found inside it.
        _root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        _access = access;
        ExportFilePermissions.CreateDirectory(_root, _access);
    }

    /// <summary>The root folder.</summary>
    public string Root => _root;

    /// <summary>The full file path of a relative artifact path (for a person or a tool that wants the file).</summary>
    public string GetFullPath(string path) => Resolve(path);

    /// <inheritdoc />
    public Task<Stream> OpenStagingWriteAsync(string stagingPath, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var fullPath = Resolve(stagingPath);
        var file = InFolder(fullPath, () => ExportFilePermissions.Open(fullPath, FileMode.Create, FileAccess.Write, FileShare.None, UnbufferedWrites, FileOptions.Asynchronous, _access));
        // A given-up write removes the folders it empties, up to the job's and beyond: the write is given up when the
        // attempt is cancelled, which is when another instance taking the job over may be creating its own attempt folder
        // there, and InFolder makes that one create the folder again if this removal took it away.
        Stream stream = new StagingFileStream(file, deleted => RemoveEmptyFolders(Path.GetDirectoryName(deleted)!));
        return Task.FromResult(stream);
    }

    /// <inheritdoc />
    public Task PublishAsync(string stagingPath, string path, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var source = Resolve(stagingPath);
        var target = Resolve(path);
        InFolder(target, () =>
        {
            File.Move(source, target, overwrite: true);
            return true;
        });
        RemoveEmptyFolders(Path.GetDirectoryName(source)!);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<Stream?> OpenReadAsync(string path, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            Stream stream = new FileStream(Resolve(path), FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, ReadBufferSize, FileOptions.Asynchronous);
            return Task.FromResult<Stream?>(stream);
        }
        catch (FileNotFoundException)
        {
            return Task.FromResult<Stream?>(null);
        }
        catch (DirectoryNotFoundException)
        {
            return Task.FromResult<Stream?>(null);
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ArtifactItem> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prefix);

        // Start at the deepest folder the prefix names, so listing one job does not walk the whole tree.
        var folder = prefix.LastIndexOf('/') is var slash and > 0 ? Resolve(prefix[..slash]) : _root;
        var items = new List<ArtifactItem>();
        try
        {
            foreach (var file in new DirectoryInfo(folder).EnumerateFiles("*", SearchOption.AllDirectories))
            {
                cancellationToken.ThrowIfCancellationRequested();
                var relative = Path.GetRelativePath(_root, file.FullName).Replace(Path.DirectorySeparatorChar, '/');
                if (relative.StartsWith(prefix, StringComparison.Ordinal))
                {
                    items.Add(new ArtifactItem(relative, file.Length, new DateTimeOffset(file.LastWriteTimeUtc, TimeSpan.Zero)));
                }
            }
        }
        catch (DirectoryNotFoundException)
        {
            // No such folder, or it was emptied and removed meanwhile (a folder lives as long as it holds a file).
        }

        items.Sort(static (left, right) => string.CompareOrdinal(left.Path, right.Path));
        foreach (var item in items)
        {
            yield return item;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task<bool> DeleteAsync(string path, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var fullPath = Resolve(path);
        if (!File.Exists(fullPath))
        {
            return Task.FromResult(false);
        }

        File.Delete(fullPath);
        RemoveEmptyFolders(Path.GetDirectoryName(fullPath)!);
        return Task.FromResult(true);
    }

    /// <summary>Maps a relative '/'-separated path to a full path inside the root, refusing anything that could leave it.</summary>
    private string Resolve(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var segments = path.Split('/');
        foreach (var segment in segments)
        {
            if (segment.Length == 0 || segment is "." or ".." || segment.IndexOfAny(['\\', ':']) >= 0
                || segment.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0)
            {
                throw new ArgumentException($"'{path}' is not a relative artifact path ('/'-separated names, no '.', '..', '\\' or ':').", nameof(path));
            }
        }

        var fullPath = Path.GetFullPath(Path.Combine([_root, .. segments]));
        if (!IsBelowRoot(fullPath))
        {
            throw new ArgumentException($"'{path}' leaves the artifact root.", nameof(path));
        }

        return fullPath;
    }

    /// <summary>Whether <paramref name="fullPath"/> is inside the root (the root itself is not).</summary>
    private bool IsBelowRoot(string fullPath) => fullPath.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    private T InFolder<T>(string fullPath, Func<T> create) => InFolder(_root, _access, fullPath, create);

    /// <summary>
    /// Creates the folder of <paramref name="fullPath"/> (and those above it, below <paramref name="root"/>, with the mode
    /// of <paramref name="access"/>) and runs <paramref name="create"/>, which creates the file there. Again when a folder
    /// vanished in between: a delete that emptied a folder above it (the last file of another job of the same role, say)
    /// may remove it at that moment; a folder that goes on vanishing after a few tries is an error.
    /// </summary>
    internal static T InFolder<T>(string root, ExportFileAccess access, string fullPath, Func<T> create)
    {
        var folder = Path.GetDirectoryName(fullPath)!;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                ExportFilePermissions.CreateDirectory(folder, access, root);
                return create();
            }
            catch (DirectoryNotFoundException) when (attempt < 5)
            {
            }
        }
    }

    /// <summary>
    /// Removes <paramref name="folder"/> and the folders above it while they are empty (never the root). A folder that a
    /// writer fills meanwhile stays: a folder is removed only while empty.
    /// </summary>
    private void RemoveEmptyFolders(string folder)
    {
        var current = folder;
        while (IsBelowRoot(current))
        {
            try
            {
                if (Directory.EnumerateFileSystemEntries(current).Any())
                {
                    return;
                }

                Directory.Delete(current);
            }
            catch (DirectoryNotFoundException)
            {
                // Removed by a concurrent delete: go on with the folder above.
            }
            catch (IOException)
            {
                return;
            }
            catch (UnauthorizedAccessException)
            {
                return;
            }

            current = Path.GetDirectoryName(current)!;
        }
    }
}
