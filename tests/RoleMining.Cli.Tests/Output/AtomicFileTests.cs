using RoleMining.Cli.Output;
using RoleMining.Cli.Tests.Infrastructure;

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

    private static async Task WriteAsync(string target, string content)
    {
        await using var file = AtomicFile.Create(target);
        await file.Writer.WriteAsync(content);
        await file.CommitAsync(CancellationToken.None);
    }

    /// <summary>A temporary file as a writer of <paramref name="fileName"/> leaves it, last written <paramref name="age"/> ago.</summary>
    private string Leftover(string fileName, TimeSpan age)
    {
        var path = _directory.Combine($".{fileName}.{Guid.NewGuid():N}.partial");
        File.WriteAllText(path, "identity data");
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow - age);
        return path;
    }
}
