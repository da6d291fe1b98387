using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using RoleMining.Cli.Hosting;
using RoleMining.Exports;

namespace RoleMining.Cli.Exports;

/// <summary>
/// One <c>rolemining</c> run (export, sweep or serve) at a time per export folder. Two runs would each resume the other's
/// jobs and wait on leases the other renews, and one would end with "unfinished" exports and no reason. The lock is an
/// exclusive open of <c>.rolemining-run.lock</c> (an OS lock, released when the process ends, even by kill -9); beside it,
/// <c>.rolemining-run.json</c> says who holds it, for the message the second run prints.
/// </summary>
internal sealed class ExportFolderLock : IDisposable
{
    private const string LockFileName = ".rolemining-run.lock";
    private const string OwnerFileName = ".rolemining-run.json";

    private readonly FileStream _lock;
    private readonly string _folder;
    private string? _createdFrom;
    private readonly ScaffoldFiles? _scaffold;

    private ExportFolderLock(FileStream lockStream, string folder, string? createdFrom, ScaffoldFiles? scaffold)
    {
        _lock = lockStream;
        _folder = Path.TrimEndingDirectorySeparator(folder);
        _createdFrom = createdFrom;
        _scaffold = scaffold;
    }

    /// <summary>
    /// The outermost folder of <paramref name="folder"/>'s path (a full path) that does not exist yet, or null. Asked
    /// before anything creates the folder (the stores do when they are first resolved), and given to
    /// <see cref="Acquire"/> as what the run may remove again.
    /// </summary>
    public static string? OutermostMissingFolder(string folder)
    {
        string? missing = null;
        for (var path = Path.TrimEndingDirectorySeparator(folder); !string.IsNullOrEmpty(path) && !Directory.Exists(path); path = Path.GetDirectoryName(path))
        {
            missing = path;
        }

        return missing;
    }

    /// <summary>
    /// Takes the folder for this process's <paramref name="command"/>, creating it if need be. <paramref name="createdFrom"/>:
    /// the outermost folder of its path this run created (<see cref="OutermostMissingFolder"/>), removed on
    /// <see cref="Dispose"/> when the run leaves nothing in it but <paramref name="scaffold"/>; null keeps the folder whatever happens.
    /// </summary>
    /// <exception cref="CliException">Another run holds the folder (exit code 1), naming its process and start time.</exception>
    public static ExportFolderLock Acquire(string folder, string command, ExportFileAccess access, string? createdFrom = null, ScaffoldFiles? scaffold = null)
    {
        ExportFilePermissions.CreateDirectory(folder, access);
        FileStream stream;
        try
        {
            // FileShare.None exactly: on Unix it is what takes the exclusive flock (any other share flag takes a shared one).
            stream = ExportFilePermissions.Open(Path.Combine(folder, LockFileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None, ExportFileAccess.Owner);
        }
        catch (IOException exception) when (exception is not FileNotFoundException and not DirectoryNotFoundException)
        {
            throw new CliException(ExitCodes.Failed, $"The export folder {folder} is in use by another rolemining run ({DescribeOwner(folder)}). Wait for it to end, or give another --out.", exception);
        }

        var owner = new RunOwner(Environment.ProcessId, DateTimeOffset.UtcNow, command);
        using (var ownerFile = ExportFilePermissions.Open(Path.Combine(folder, OwnerFileName), FileMode.Create, FileAccess.Write, FileShare.Read, 4096, FileOptions.None, ExportFileAccess.Owner))
        {
            JsonSerializer.Serialize(ownerFile, owner, RunOwnerJsonContext.Default.RunOwner);
        }

        return new ExportFolderLock(stream, folder, createdFrom, scaffold);
    }

    /// <summary>Keeps the folder whatever happens from now on: a run whose folder was announced as in use (serve, listening).</summary>
    public void Keep() => _createdFrom = null;

    /// <summary>
    /// Releases the folder. One this run created and leaves holding nothing but empty folders and its scaffold files (a run
    /// that failed before its first job, an unknown session say, or that found nothing to export) is removed, lock included, with the parent
    /// folders the run created for it, so that a mistyped command leaves no trace. The files go while the lock is held:
    /// no other run can have started in the folder.
    /// </summary>
    public void Dispose()
    {
        var removeFolder = false;
        try
        {
            removeFolder = _createdFrom is not null && HoldsOnlyScaffolding();
            if (removeFolder)
            {
                // Those in this folder only: a job folder configured elsewhere (RoleMining:Exports:FileSystem:JobRoot) is not the run's to tidy.
                foreach (var file in (_scaffold?.Paths ?? []).Where(path => path.StartsWith(_folder + Path.DirectorySeparatorChar, StringComparison.Ordinal)))
                {
                    File.Delete(file);
                }

                RemoveEmptyFolders(_folder);
                File.Delete(Path.Combine(_folder, OwnerFileName));
                if (!OperatingSystem.IsWindows())
                {
                    // Unix unlinks a file that is held open; Windows does not, so there it goes once released, below.
                    File.Delete(Path.Combine(_folder, LockFileName));
                }
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // Tidying up only: the folder stays as it is, as it would after a run that exported something.
            removeFolder = false;
        }
        finally
        {
            _lock.Dispose();
        }

        try
        {
            if (removeFolder && OperatingSystem.IsWindows())
            {
                File.Delete(Path.Combine(_folder, LockFileName));
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // Another run opened it meanwhile: the folder is its now.
            removeFolder = false;
        }

        // The folder, then each parent up to the outermost one the run created; one that is not empty (something was
        // written into it meanwhile) stays, with its parents.
        for (var path = _folder; removeFolder && path is not null; path = path == _createdFrom ? null : Path.GetDirectoryName(path))
        {
            try
            {
                Directory.Delete(path);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                removeFolder = false;
            }
        }
    }

    /// <summary>Whether the folder holds no file but the lock, its owner file and the run's scaffold files.</summary>
    private bool HoldsOnlyScaffolding() =>
        !Directory.EnumerateFiles(_folder).Any(path => Path.GetFileName(path) is not (LockFileName or OwnerFileName))
        && Directory.EnumerateDirectories(_folder).All(child => Directory.EnumerateFileSystemEntries(child, "*", SearchOption.AllDirectories)
            .All(entry => !File.Exists(entry) || _scaffold?.Contains(entry) == true));

    /// <summary>Removes the (empty) folders below <paramref name="folder"/>, deepest first; throws when one is not empty.</summary>
    private static void RemoveEmptyFolders(string folder)
    {
        foreach (var child in Directory.EnumerateDirectories(folder, "*", SearchOption.AllDirectories).OrderByDescending(path => path.Length).ToList())
        {
            Directory.Delete(child);
        }
    }

    private static string DescribeOwner(string folder)
    {
        try
        {
            var owner = JsonSerializer.Deserialize(File.ReadAllText(Path.Combine(folder, OwnerFileName)), RunOwnerJsonContext.Default.RunOwner);
            if (owner is not null)
            {
                var alive = IsRunning(owner.ProcessId) ? string.Empty : ", no longer running";
                return string.Create(CultureInfo.InvariantCulture, $"'rolemining {owner.Command}', process {owner.ProcessId}{alive}, since {owner.StartedAt:u}");
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or JsonException)
        {
            // Written just after the lock was taken: the other run may be writing it right now.
        }

        return "process unknown, since unknown";
    }

    private static bool IsRunning(int processId)
    {
        try
        {
            using var process = Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    internal sealed record RunOwner(int ProcessId, DateTimeOffset StartedAt, string Command);
}

/// <summary>The owner file's JSON (camelCase, as <see cref="JsonSerializerDefaults.Web"/>), generated at build time.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ExportFolderLock.RunOwner))]
internal sealed partial class RunOwnerJsonContext : JsonSerializerContext;
