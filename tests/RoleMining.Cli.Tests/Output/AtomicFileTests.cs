using RoleMining.Cli.Output;
using RoleMining.Cli.Tests.Infrastructure;
using RoleMining.Testing.Processes;

namespace RoleMining.Cli.Tests.Output;

/// <summary>An --out file appears whole or not at all, and a writer that was killed leaves nothing for good.</summary>
public sealed class AtomicFileTests : IDisposable
{
    private readonly TemporaryDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task A_killed_writers_temporary_file_is_removed_by_the_next_writer_of_the_same_file()
    {
        var target = _directory.Combine("identities.csv");
        var abandoned = Leftover("identities.csv", age: AtomicFile.AbandonedAfter + TimeSpan.FromMinutes(1));
        var otherFiles = Leftover("sessions.csv", age: TimeSpan.FromDays(1));

        await WriteAsync(target, "id\n1\n");

        Assert.False(File.Exists(abandoned));
        Assert.True(File.Exists(otherFiles), "Another output's temporary file is not this writer's to remove.");
        Assert.Equal("id\n1\n", await File.ReadAllTextAsync(target));
    }

    [Theory]
    [InlineData(246, "a")] // 250 bytes: the file system takes the name, not 42 more
    [InlineData(118, "é")] // 240 bytes in UTF-8
    [InlineData(61, "😀")] // surrogate pairs, 248 bytes: the cut must not split one
    [InlineData(80, "😀")] // 324 bytes: too long for the file itself
    public async Task A_name_near_the_file_systems_limit_is_written_and_its_leftovers_still_found(int repeat, string sample)
    {
        var name = string.Concat(Enumerable.Repeat(sample, repeat)) + ".csv";
        var target = _directory.Combine(name);
        var fits = System.Text.Encoding.UTF8.GetByteCount(name) <= 255;

        if (!fits)
        {
            // Too long for the file system whatever the temporary name: the error names the file asked for.
            var error = await Assert.ThrowsAnyAsync<IOException>(() => WriteAsync(target, "id\n"));
            Assert.Contains(name, error.Message, StringComparison.Ordinal);
            Assert.Empty(Directory.EnumerateFileSystemEntries(_directory.Path));
            return;
        }

        var abandoned = Leftover(name, age: AtomicFile.AbandonedAfter + TimeSpan.FromMinutes(1));
        await WriteAsync(target, "id\n1\n");

        Assert.Equal("id\n1\n", await File.ReadAllTextAsync(target));
        Assert.False(File.Exists(abandoned));
        Assert.Equal([target], Directory.EnumerateFileSystemEntries(_directory.Path));
    }

    [Fact]
    public async Task A_temporary_file_written_a_moment_ago_is_left_to_its_writer()
    {
        var target = _directory.Combine("identities.csv");
        var recent = Leftover("identities.csv", age: TimeSpan.FromSeconds(5));

        await WriteAsync(target, "id\n");

        Assert.True(File.Exists(recent));
    }

    [Fact]
    public async Task A_temporary_file_a_live_writer_holds_is_left_however_old()
    {
        var target = _directory.Combine("identities.csv");
        var held = Leftover("identities.csv", age: TimeSpan.FromDays(1));
        using (new FileStream(held, FileMode.Open, FileAccess.Write, FileShare.None))
        {
            await WriteAsync(target, "id\n");
        }

        Assert.True(File.Exists(held));
    }

    [Fact]
    public async Task A_symbolic_link_is_followed_its_target_replaced_and_the_link_kept()
    {
        var real = _directory.Combine("real.csv");
        await File.WriteAllTextAsync(real, "old\n");
        var link = _directory.Combine("link.csv");
        File.CreateSymbolicLink(link, real);

        await WriteAsync(link, "id\n1\n");

        Assert.NotNull(new FileInfo(link).LinkTarget);
        Assert.Equal("id\n1\n", await File.ReadAllTextAsync(real));
        Assert.Equal(["link.csv", "real.csv"], Directory.GetFileSystemEntries(_directory.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_named_pipe_is_written_into_not_replaced_by_a_file()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        // As `--out >(gzip > x.gz)` or a FIFO give it: renaming over it would leave the reader waiting for ever.
        var pipe = _directory.Combine("pipe");
        var made = await ProcessRun.RunAsync("mkfifo", [pipe], _directory.Path, TimeSpan.FromSeconds(30));
        Assert.True(made.ExitCode == 0, made.Output);
        var reader = Task.Run(() => File.ReadAllText(pipe));

        await WriteAsync(pipe, "id\n1\n");

        Assert.Equal("id\n1\n", await reader.WaitAsync(TimeSpan.FromSeconds(30)));
        var type = await ProcessRun.RunAsync("stat", ["-c", "%F", pipe], _directory.Path, TimeSpan.FromSeconds(30));
        Assert.Equal("fifo", type.StandardOutput.Trim());
        Assert.Single(Directory.GetFileSystemEntries(_directory.Path));
    }

    [Fact]
    public async Task Dev_null_is_written_into_and_stays_a_device()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        // Run as root, a rename over /dev/null replaced the device with a file (a device can seek, so only its path tells).
        await WriteAsync("/dev/null", "id\n1\n");

        var type = await ProcessRun.RunAsync("stat", ["-c", "%F", "/dev/null"], _directory.Path, TimeSpan.FromSeconds(30));
        Assert.Equal("character special file", type.StandardOutput.Trim());
    }

    private static async Task WriteAsync(string target, string content)
    {
        await using var file = AtomicFile.Create(target);
        await file.Writer.WriteAsync(content);
        await file.CommitAsync(CancellationToken.None);
    }

    /// <summary>A temporary file as a writer of <paramref name="fileName"/> leaves it, last written <paramref name="age"/> ago.</summary>
    private string Leftover(string fileName, TimeSpan age)
    {
        var path = _directory.Combine($"{AtomicFile.TemporaryPrefix(fileName)}{Guid.NewGuid():N}.partial");
        File.WriteAllText(path, "identity data");
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow - age);
        return path;
    }
}
