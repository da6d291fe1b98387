using System.Text;
using RoleMining.Exports;
using RoleMining.Exports.Storage.FileSystem;
using RoleMining.Exports.Tests.Support;

namespace RoleMining.Exports.Tests.Storage;

public sealed class FileSystemExportArtifactStoreTests : IDisposable
{
    private readonly TemporaryDirectory _root = new();

    [Fact]
    public async Task A_published_file_replaces_the_old_one_whole_and_its_staging_file_is_gone()
    {
        var store = new FileSystemExportArtifactStore(_root.Path);
        await Write(store, "s/r/j/.staging/a/export.zip", "old");
        await store.PublishAsync("s/r/j/.staging/a/export.zip", "s/r/j/export.zip");
        await Write(store, "s/r/j/.staging/b/export.zip", "new content");

        Assert.Equal("old", await Read(store, "s/r/j/export.zip"));
        await store.PublishAsync("s/r/j/.staging/b/export.zip", "s/r/j/export.zip");

        Assert.Equal("new content", await Read(store, "s/r/j/export.zip"));
        Assert.Equal(["s/r/j/export.zip"], _root.Files());
    }

    [Fact]
    public async Task Listing_by_prefix_finds_files_below_it_only()
    {
        var store = new FileSystemExportArtifactStore(_root.Path);
        await Write(store, "s1/r1/j1/a.csv", "1");
        await Write(store, "s1/r1/j2/a.csv", "22");
        await Write(store, "s1/r10/j3/a.csv", "333");
        await Write(store, "s2/r1/j4/a.csv", "4444");

        var items = await store.ListAsync("s1/r1/").ToListAsync();

        Assert.Equal(["s1/r1/j1/a.csv", "s1/r1/j2/a.csv"], items.Select(item => item.Path));
        Assert.Equal([1L, 2L], items.Select(item => item.Size));
        Assert.Equal(4, await store.ListAsync(string.Empty).CountAsync());
        Assert.Empty(await store.ListAsync("s3/").ToListAsync());
    }

    [Fact]
    public async Task Reading_or_deleting_a_missing_file_is_not_an_error()
    {
        var store = new FileSystemExportArtifactStore(_root.Path);

        Assert.Null(await store.OpenReadAsync("s/r/j/manifest.json"));
        Assert.False(await store.DeleteAsync("s/r/j/manifest.json"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_staging_write_given_up_deletes_its_file_and_its_emptied_attempt_folder(bool closeAsync)
    {
        var store = new FileSystemExportArtifactStore(_root.Path);
        await Write(store, "s/r/j/.staging/a/identities.csv", "id\n1\n");
        var stream = await store.OpenStagingWriteAsync("s/r/j/.staging/b/export.zip");
        await stream.WriteAsync(new byte[300_000]);

        ((IAbandonableWrite)stream).Abandon();
        if (closeAsync)
        {
            await stream.DisposeAsync();
        }
        else
        {
            stream.Dispose();
        }

        Assert.Equal(["s/r/j/.staging/a/identities.csv"], _root.Files());
        Assert.False(Directory.Exists(Path.Combine(_root.Path, "s", "r", "j", ".staging", "b")));
    }

    [Fact]
    public async Task A_given_up_write_removes_every_folder_it_empties_and_a_takeover_staging_beside_it_is_unharmed()
    {
        var store = new FileSystemExportArtifactStore(_root.Path);
        var given = await store.OpenStagingWriteAsync("s/r/j/.staging/b/export.zip");
        await given.WriteAsync(new byte[10]);

        ((IAbandonableWrite)given).Abandon();
        await given.DisposeAsync();

        Assert.Empty(Directory.EnumerateFileSystemEntries(_root.Path));

        // A takeover's attempt that began beside it keeps its folders; its own write then completes.
        var takeover = await store.OpenStagingWriteAsync("s/r/j/.staging/c/export.zip");
        var late = await store.OpenStagingWriteAsync("s/r/j/.staging/b/export.zip");
        ((IAbandonableWrite)late).Abandon();
        await late.DisposeAsync();
        await takeover.WriteAsync(new byte[10]);
        await takeover.DisposeAsync();
        await store.PublishAsync("s/r/j/.staging/c/export.zip", "s/r/j/export.zip");
        Assert.Equal(["s/r/j/export.zip"], _root.Files());
    }

    [Fact]
    public async Task Deleting_staging_files_removes_their_emptied_folders()
    {
        var store = new FileSystemExportArtifactStore(_root.Path);
        await Write(store, "s/r/j/.staging/a/identities.csv", "x");
        await Write(store, "s/r/j/export.zip", "z");

        Assert.True(await store.DeleteAsync("s/r/j/.staging/a/identities.csv"));

        Assert.False(Directory.Exists(_root.Combine("s", "r", "j", ".staging")));
        Assert.True(File.Exists(_root.Combine("s", "r", "j", "export.zip")));
    }

    [Fact]
    public async Task Deleting_a_jobs_last_file_removes_its_emptied_folders_up_to_the_root_but_no_further()
    {
        var store = new FileSystemExportArtifactStore(_root.Path);
        await Write(store, "s1/r/j1/export.zip", "1");
        await Write(store, "s1/r/j2/export.zip", "2");
        await Write(store, "s2/r/j3/export.zip", "3");

        Assert.True(await store.DeleteAsync("s1/r/j1/export.zip"));
        Assert.True(await store.DeleteAsync("s2/r/j3/export.zip"));

        // A folder lives as long as it holds a file, like a blob name's prefix: no empty job, role or session folder.
        Assert.False(Directory.Exists(_root.Combine("s1", "r", "j1")));
        Assert.True(Directory.Exists(_root.Combine("s1", "r", "j2")));
        Assert.False(Directory.Exists(_root.Combine("s2")));
        Assert.True(Directory.Exists(_root.Path));
        Assert.Equal(["s1/r/j2/export.zip"], _root.Files());
    }

    [Fact]
    public async Task Writers_and_deleters_of_sibling_jobs_do_not_trip_over_each_others_folders()
    {
        var store = new FileSystemExportArtifactStore(_root.Path);

        // Each deletion empties and removes the shared session and role folders while the other jobs create files in them.
        await Task.WhenAll(Enumerable.Range(0, 6).Select(job => Task.Run(async () =>
        {
            for (var round = 0; round < 40; round++)
            {
                await Write(store, $"s/r/j{job}/.staging/a{round}/export.zip", "content");
                await store.PublishAsync($"s/r/j{job}/.staging/a{round}/export.zip", $"s/r/j{job}/export.zip");
                Assert.True(await store.DeleteAsync($"s/r/j{job}/export.zip"));
            }
        })));

        Assert.Empty(Directory.EnumerateFileSystemEntries(_root.Path));
    }

    [Fact]
    public void A_folder_that_vanishes_between_its_creation_and_the_files_is_created_again()
    {
        var target = _root.Combine("s", "r", "j", "export.zip");
        var calls = 0;

        // The first try loses its folder at the worst moment, as to a delete emptying it: the file still gets written.
        FileSystemExportArtifactStore.InFolder(_root.Path, ExportFileAccess.Owner, target, () =>
        {
            if (++calls == 1)
            {
                Directory.Delete(_root.Combine("s"), recursive: true);
            }

            File.WriteAllText(target, "z");
            return true;
        });

        Assert.Equal(2, calls);
        Assert.Equal(["s/r/j/export.zip"], _root.Files());
    }

    [Fact]
    public void Folders_created_again_by_someone_else_get_the_configured_mode_back()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        // A concurrent writer's Directory.CreateDirectory recreates a removed parent with the umask's default mode.
        Directory.CreateDirectory(_root.Combine("s", "r"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        File.SetUnixFileMode(_root.Combine("s"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);

        // The root is the user's: its mode stays as they set it.
        var rootMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute;
        File.SetUnixFileMode(_root.Path, rootMode);

        ExportFilePermissions.CreateDirectory(_root.Combine("s", "r", "j"), ExportFileAccess.Owner, _root.Path);

        var owner = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        foreach (var folder in new[] { _root.Combine("s"), _root.Combine("s", "r"), _root.Combine("s", "r", "j") })
        {
            Assert.Equal(owner, File.GetUnixFileMode(folder));
        }

        Assert.Equal(rootMode, File.GetUnixFileMode(_root.Path));
    }

    [Fact]
    public async Task A_root_given_with_a_trailing_separator_holds_the_files()
    {
        var store = new FileSystemExportArtifactStore(_root.Path + Path.DirectorySeparatorChar);

        await Write(store, "s/r/j/export.zip", "z");

        Assert.Equal("z", await Read(store, "s/r/j/export.zip"));
        Assert.Equal(["s/r/j/export.zip"], (await store.ListAsync("s/").ToListAsync()).Select(item => item.Path));
        Assert.True(await store.DeleteAsync("s/r/j/export.zip"));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_root.Path));
    }

    [Theory]
    [InlineData("../outside.txt")]
    [InlineData("s/../../outside.txt")]
    [InlineData("/etc/passwd")]
    [InlineData("s//x.txt")]
    [InlineData("s/./x.txt")]
    [InlineData("s\\..\\x.txt")]
    [InlineData("C:/x.txt")]
    public async Task Paths_that_could_leave_the_root_are_refused(string path)
    {
        var store = new FileSystemExportArtifactStore(_root.Path);

        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.OpenStagingWriteAsync(path));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.OpenReadAsync(path));
        Assert.Empty(_root.Files());
    }

    public void Dispose() => _root.Dispose();

    private static async Task Write(FileSystemExportArtifactStore store, string path, string content)
    {
        await using var stream = await store.OpenStagingWriteAsync(path);
        await stream.WriteAsync(Encoding.UTF8.GetBytes(content));
    }

    private static async Task<string> Read(FileSystemExportArtifactStore store, string path)
    {
        await using var stream = (await store.OpenReadAsync(path))!;
        Assert.True(stream.CanSeek);
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync();
    }
}
