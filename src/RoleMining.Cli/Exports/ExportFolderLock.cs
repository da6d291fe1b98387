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

    private ExportFolderLock(FileStream lockStream) => _lock = lockStream;

    /// <summary>Takes the folder for this process's <paramref name="command"/>.</summary>
    /// <exception cref="CliException">Another run holds the folder (exit code 1), naming its process and start time.</exception>
    public static ExportFolderLock Acquire(string folder, string command, ExportFileAccess access)
    {
        ExportFilePermissions.CreateDirectory(folder, access);
        FileStream stream;
        try
        {
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

        return new ExportFolderLock(stream);
    }

    public void Dispose() => _lock.Dispose();

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
