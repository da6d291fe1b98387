using RoleMining.Exports.Storage.FileSystem;
using RoleMining.Exports.Tests.Support;

namespace RoleMining.Exports.Tests.Storage;

public sealed class FileSystemExportJobStoreTests : IDisposable
{
    private readonly TemporaryDirectory _root = new();

    [Fact]
    public async Task Create_if_absent_stores_once_and_refuses_a_second_create()
    {
        var store = new FileSystemExportJobStore(_root.Path);
        var job = NewJob();

        var first = await store.TryCreateAsync(job);
        var second = await store.TryCreateAsync(job with { SessionId = "other" });

        Assert.NotNull(first);
        Assert.Null(second);
        var read = await store.GetAsync(job.JobId);
        Assert.Equal(job.SessionId, read!.Job.SessionId);
        Assert.Equal(first.ETag, read.ETag);
    }

    [Fact]
    public async Task A_replace_with_a_stale_etag_is_refused_and_changes_nothing()
    {
        var store = new FileSystemExportJobStore(_root.Path);
        var created = (await store.TryCreateAsync(NewJob()))!;
        var replaced = await store.TryReplaceAsync(created.Job with { State = ExportJobState.Started }, created.ETag);

        var stale = await store.TryReplaceAsync(created.Job with { State = ExportJobState.Failed }, created.ETag);

        Assert.NotNull(replaced);
        Assert.NotEqual(created.ETag, replaced.ETag);
        Assert.Null(stale);
        Assert.Equal(ExportJobState.Started, (await store.GetAsync(created.Job.JobId))!.Job.State);
    }

    [Fact]
    public async Task A_replace_of_a_missing_job_is_refused()
    {
        var store = new FileSystemExportJobStore(_root.Path);

        Assert.Null(await store.TryReplaceAsync(NewJob(), "0123456789abcdef0123456789abcdef"));
        Assert.Null(await store.GetAsync(ExportJobIds.NewJobId()));
    }

    [Fact]
    public async Task Of_many_concurrent_writers_with_the_same_etag_exactly_one_wins_across_store_instances()
    {
        var created = (await new FileSystemExportJobStore(_root.Path).TryCreateAsync(NewJob()))!;

        // Separate instances share nothing in memory: only the lock file and the document arbitrate, as between processes.
        var writers = Enumerable.Range(0, 16).Select(writer => Task.Run(() =>
            new FileSystemExportJobStore(_root.Path).TryReplaceAsync(created.Job with { LastError = "writer " + writer }, created.ETag)));
        var results = await Task.WhenAll(writers);

        var winner = Assert.Single(results, result => result is not null);
        var stored = await new FileSystemExportJobStore(_root.Path).GetAsync(created.Job.JobId);
        Assert.Equal(winner!.Job.LastError, stored!.Job.LastError);
        Assert.Equal(winner.ETag, stored.ETag);
    }

    [Fact]
    public async Task Of_many_concurrent_creators_exactly_one_creates()
    {
        var job = NewJob();

        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(creator => Task.Run(() =>
            new FileSystemExportJobStore(_root.Path).TryCreateAsync(job with { LastError = "creator " + creator }))));

        var winner = Assert.Single(results, result => result is not null);
        Assert.Equal(winner!.Job.LastError, (await new FileSystemExportJobStore(_root.Path).GetAsync(job.JobId))!.Job.LastError);
    }

    [Fact]
    public async Task Concurrent_read_modify_write_loops_lose_no_update()
    {
        var store = new FileSystemExportJobStore(_root.Path);
        var created = (await store.TryCreateAsync(NewJob()))!;

        // Each worker re-reads on conflict and tries again: every increment must land exactly once.
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            for (var increment = 0; increment < 10; increment++)
            {
                while (true)
                {
                    var current = (await store.GetAsync(created.Job.JobId))!;
                    if (await store.TryReplaceAsync(current.Job with { Attempts = current.Job.Attempts + 1 }, current.ETag) is not null)
                    {
                        break;
                    }
                }
            }
        })));

        Assert.Equal(80, (await store.GetAsync(created.Job.JobId))!.Job.Attempts);
        Assert.Empty(Directory.EnumerateFiles(_root.Path, "*.tmp"));
    }

    [Fact]
    public async Task A_writer_waiting_for_a_job_lock_gets_it_once_the_holder_releases_it()
    {
        // The wait follows real time: the store takes no clock (its retries once waited on an injected one, which a
        // test's paused clock never moved, so the waiting writer and the lease renewal behind it hung).
        var store = new FileSystemExportJobStore(_root.Path);
        var created = (await store.TryCreateAsync(NewJob()))!;
        var holder = await FileLock.AcquireAsync(_root.Combine(created.Job.JobId + ".lock"), TimeSpan.Zero, CancellationToken.None);

        var write = store.TryReplaceAsync(created.Job with { Attempts = 1 }, created.ETag);
        await Task.Delay(TimeSpan.FromMilliseconds(200));
        Assert.False(write.IsCompleted);
        holder.Dispose();

        Assert.NotNull(await write.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(1, (await store.GetAsync(created.Job.JobId))!.Job.Attempts);
    }

    [Fact]
    public async Task Queries_filter_by_session_role_and_state()
    {
        var store = new FileSystemExportJobStore(_root.Path);
        await store.TryCreateAsync(NewJob("s1", "r1"));
        await store.TryCreateAsync(NewJob("s1", "r2") with { State = ExportJobState.Succeeded });
        await store.TryCreateAsync(NewJob("s2", "r1") with { State = ExportJobState.Failed });
        await File.WriteAllTextAsync(_root.Combine("stray.json"), "not a job");

        Assert.Equal(3, await store.QueryAsync(ExportJobQuery.All).CountAsync());
        Assert.Equal(["r1", "r2"], (await store.QueryAsync(new ExportJobQuery { SessionId = "s1" }).ToListAsync()).Select(job => job.PotentialRoleId).Order());
        Assert.Equal("s2", (await store.QueryAsync(new ExportJobQuery { PotentialRoleId = "r1", States = [ExportJobState.Failed] }).SingleAsync()).SessionId);
        Assert.Empty(await store.QueryAsync(new ExportJobQuery { SessionId = "s2", States = [ExportJobState.Queued] }).ToListAsync());
    }

    [Fact]
    public async Task The_document_is_readable_json_with_every_field()
    {
        var store = new FileSystemExportJobStore(_root.Path);
        var job = NewJob() with
        {
            Options = new ExportRequestOptions { MinEntitlementPopularity = 10, IncludeCommonAccess = false },
            Artifacts = [new ExportArtifact { Name = "export.zip", Path = "s/r/j/export.zip", Size = 3, Sha256 = "ab", RowCount = null }],
            Failure = new ExportFailure { Kind = ExportFailureKind.ExportError, Reason = "because", Step = ExportStep.Poll },
        };
        await store.TryCreateAsync(job);

        var text = await File.ReadAllTextAsync(_root.Combine(job.JobId + ".json"));
        Assert.Contains("\"state\": \"Queued\"", text, StringComparison.Ordinal);
        Assert.Contains("\"minEntitlementPopularity\": 10", text, StringComparison.Ordinal);
        Assert.Contains("\"kind\": \"ExportError\"", text, StringComparison.Ordinal);
        var read = (await store.GetAsync(job.JobId))!.Job;
        Assert.Equal(job.Options, read.Options);
        Assert.Equal(job.Artifacts, read.Artifacts);
        Assert.Equal(job.Failure, read.Failure);
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("a/b")]
    [InlineData("")]
    public async Task Unsafe_job_ids_are_refused(string jobId)
    {
        var store = new FileSystemExportJobStore(_root.Path);

        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.GetAsync(jobId));
    }

    public void Dispose() => _root.Dispose();

    private static ExportJob NewJob(string sessionId = "session", string potentialRoleId = "role") => new()
    {
        JobId = ExportJobIds.NewJobId(),
        SessionId = sessionId,
        PotentialRoleId = potentialRoleId,
        CreatedAt = DateTimeOffset.UtcNow,
        UpdatedAt = DateTimeOffset.UtcNow,
    };
}
