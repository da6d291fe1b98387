using RoleMining.Exports.Storage.FileSystem;
using RoleMining.Exports.Tests.Support;

namespace RoleMining.Exports.Tests.Storage;

public sealed class StagingFileStreamTests : IDisposable
{
    private readonly TemporaryDirectory _root = new();

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_given_up_write_whose_close_fails_still_deletes_its_file_and_the_close_failure_reaches_the_caller(bool closeAsync)
    {
        if (!File.Exists("/dev/full"))
        {
            // A close that fails needs a device that refuses the flush; Linux has /dev/full. The other systems take the
            // same finally block.
            return;
        }

        // The staging path is a link to /dev/full: the buffered bytes fail to flush when the stream closes (ENOSPC), and
        // deleting the path removes the link, never the device.
        var path = Path.Combine(_root.Path, "export.zip");
        File.CreateSymbolicLink(path, "/dev/full");
        var deleted = new List<string>();
        var file = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.None, bufferSize: 4096, FileOptions.Asynchronous);
        var stream = new StagingFileStream(file, deleted.Add);
        await stream.WriteAsync(new byte[100]);

        ((IAbandonableWrite)stream).Abandon();
        var failure = closeAsync
            ? await Record.ExceptionAsync(async () => await stream.DisposeAsync())
            : Record.Exception(stream.Dispose);

        Assert.IsType<IOException>(failure);
        Assert.Equal([path], deleted);
        Assert.False(Path.Exists(path));
    }

    [Fact]
    public async Task A_completed_write_keeps_its_file()
    {
        var path = Path.Combine(_root.Path, "export.zip");
        var deleted = new List<string>();
        var stream = new StagingFileStream(new FileStream(path, FileMode.CreateNew, FileAccess.Write), deleted.Add);
        await stream.WriteAsync(new byte[100]);

        await stream.DisposeAsync();
        ((IAbandonableWrite)stream).Abandon();
        stream.Dispose();

        Assert.Empty(deleted);
        Assert.Equal(100, new FileInfo(path).Length);
    }

    public void Dispose() => _root.Dispose();
}
