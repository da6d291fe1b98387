using RoleMining.Cli.Exports;
using RoleMining.Exports;

namespace RoleMining.Cli.Tests.Exports;

public sealed class ExportFolderLockTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_created_folder_goes_with_the_files_the_run_recorded_and_stays_with_any_other(bool recorded)
    {
        using var directory = new TemporaryDirectory();
        var folder = directory.Combine("new", "exports");
        var scaffold = new ScaffoldFiles();
        var folderLock = ExportFolderLock.Acquire(folder, "export", ExportFileAccess.Owner, ExportFolderLock.OutermostMissingFolder(folder), scaffold);
        var file = Path.Combine(folder, ".jobs", "blob", "container", JobIdScopeFile.FileName);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, "0123456789abcdef0123456789abcdef");
        if (recorded)
        {
            scaffold.Add(file);
        }

        folderLock.Dispose();

        // A file the run did not write itself (another run's, say) keeps the folder whole.
        Assert.Equal(!recorded, File.Exists(file));
        Assert.Equal(!recorded, Directory.Exists(directory.Combine("new")));
    }
}
