using RoleMining.Cli.Hosting;
using RoleMining.Exports;
using RoleMining.Exports.Storage.FileSystem;

namespace RoleMining.Cli.Exports;

/// <summary>
/// The <see cref="IExportJobStore.JobIdScope"/> (<see cref="ExportFileSystemOptions.JobIdScope"/>) of a job folder whose artifacts go to a blob container: a random id
/// written once into the folder (<c>job-id-scope</c>) and read by every later run, so that reruns find their jobs again
/// while other job folders (another machine, another <c>--out</c>, the Functions app) writing to the same container
/// never derive the same job ids, and so never write into each other's artifact folders.
/// </summary>
internal static class JobIdScopeFile
{
    /// <summary>The file's name in the job folder.</summary>
    public const string FileName = "job-id-scope";

    /// <summary>
    /// The scope stored in <paramref name="jobRoot"/>, created when there is none yet (and then recorded in
    /// <paramref name="created"/>, so that a run that leaves no job removes it again).
    /// </summary>
    public static string ReadOrCreate(string jobRoot, ExportFileAccess access, ScaffoldFiles created)
    {
        var path = Path.Combine(jobRoot, FileName);
        if (!File.Exists(path))
        {
            ExportFilePermissions.CreateDirectory(jobRoot, access);
            var temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
            try
            {
                using (var stream = ExportFilePermissions.Open(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.None, access))
                {
                    stream.Write(System.Text.Encoding.ASCII.GetBytes(Guid.NewGuid().ToString("N")));
                    stream.Flush(flushToDisk: true);
                }

                // Not over an existing one: when two runs race here, the first scope stays and both use it.
                File.Move(temporary, path, overwrite: false);
                created.Add(path);
            }
            catch (IOException) when (File.Exists(path))
            {
                File.Delete(temporary);
            }
        }

        var scope = File.ReadAllText(path).Trim();
        return Guid.TryParseExact(scope, "N", out _)
            ? scope
            : throw new CliException(ExitCodes.Failed,
                $"The job folder's {path} does not hold a job id scope (32 hexadecimal digits). Restore it from the folder's backup; deleting it makes the next run start its exports again.");
    }
}
