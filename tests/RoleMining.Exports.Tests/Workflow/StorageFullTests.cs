using System.Collections.Concurrent;
using RoleMining.Exports.Storage.FileSystem;
using RoleMining.Exports.Tests.Support;

namespace RoleMining.Exports.Tests.Workflow;

/// <summary>
/// A full disk under the artifact store (simulated: a store decorator that throws the IOException .NET raises for ENOSPC,
/// so that it runs on every machine; the CLI tests fill a real tmpfs where they can mount one).
/// </summary>
public sealed class StorageFullTests
{
    [Fact]
    public async Task A_full_disk_fails_the_job_at_once_with_a_reason_about_space_not_SailPoint()
    {
        var full = new FullDiskArtifactStore.Switch { IsFull = true };
        await using var harness = await WorkflowHarness.StartAsync(new HarnessSettings { Artifacts = inner => new FullDiskArtifactStore(inner, full) });
        var role = harness.Emulator.Tenant.PotentialRoles.First(candidate => candidate.IdentityCount > 0);

        var job = (await harness.Host.Jobs.CreateAsync(new ExportJobRequest { SessionId = role.Session.Id, PotentialRoleId = role.Id })).Job;
        await harness.Host.RunUntilIdleAsync();

        var failed = await harness.Host.GetJobAsync(job.JobId);
        Assert.Equal(ExportJobState.Failed, failed.State);
        Assert.Equal(ExportFailureKind.StorageFull, failed.Failure!.Kind);
        Assert.Contains("no space left", failed.Failure.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("Check that SailPoint is reachable", failed.Failure.Reason, StringComparison.Ordinal);
        Assert.Equal(1, full.Refused);
        Assert.True(failed.CanReuseExport);
    }

    [Fact]
    public async Task After_a_full_disk_the_next_plan_reuses_the_finished_SailPoint_export_instead_of_starting_another()
    {
        var full = new FullDiskArtifactStore.Switch { IsFull = true };
        await using var harness = await WorkflowHarness.StartAsync(new HarnessSettings { Artifacts = inner => new FullDiskArtifactStore(inner, full) });
        var role = harness.Emulator.Tenant.PotentialRoles.First(candidate => candidate.IdentityCount > 0);
        var candidates = new[] { new SweepCandidate(role.Session.Id, role.Id) };

        await harness.Host.Jobs.StartPlannedAsync(ExportSweepPlanner.Plan(candidates, [], ExportRequestOptions.Default));
        await harness.Host.RunUntilIdleAsync();
        full.IsFull = false;
        var existing = await harness.Host.Jobs.QueryAsync(ExportJobQuery.All).ToListAsync();
        var plan = ExportSweepPlanner.Plan(candidates, existing, ExportRequestOptions.Default);
        var created = await harness.Host.Jobs.StartPlannedAsync(plan);
        await harness.Host.RunUntilIdleAsync();

        var failed = Assert.Single(existing);
        var planned = Assert.Single(plan.ToStart);
        Assert.Equal(failed.ExportId, planned.ReuseExportId);
        var reused = await harness.Host.GetJobAsync(Assert.Single(created).Job.JobId);
        Assert.Equal(ExportJobState.Succeeded, reused.State);
        Assert.Equal(failed.ExportId, reused.ExportId);
        Assert.Equal(failed.JobId, reused.ExportReusedFrom);
        Assert.Equal(1, harness.Emulator.Statistics.ExportCreationsFor(role.Session.Id, role.Id));
    }

    [Fact]
    public async Task After_SailPoint_took_too_long_the_next_plan_follows_the_same_export_once_instead_of_starting_another()
    {
        // A chaos run: a job that stopped waiting for an export still IN_PROGRESS was followed by a second export-async.
        await using var harness = await WorkflowHarness.StartAsync(new HarnessSettings
        {
            Emulator = options =>
            {
                options.Exports.QueuedFor = TimeSpan.Zero;
                options.Exports.InProgressFor = TimeSpan.FromSeconds(3);
            },
            Workflow = options => options.Polling.TotalWait = TimeSpan.FromMilliseconds(600),
        });
        var role = harness.Emulator.Tenant.PotentialRoles.First(candidate => candidate.IdentityCount > 0);
        var candidates = new[] { new SweepCandidate(role.Session.Id, role.Id) };
        await harness.Host.Jobs.StartPlannedAsync(ExportSweepPlanner.Plan(candidates, [], ExportRequestOptions.Default));
        await harness.Host.RunUntilIdleAsync();
        var timedOut = Assert.Single(await harness.Host.Jobs.QueryAsync(ExportJobQuery.All).ToListAsync());
        Assert.Equal(ExportFailureKind.PollTimeout, timedOut.Failure!.Kind);

        // Rerun once SailPoint has finished the export: the new job downloads it.
        await Task.Delay(TimeSpan.FromSeconds(3));
        var plan = ExportSweepPlanner.Plan(candidates, [timedOut], ExportRequestOptions.Default);
        var created = await harness.Host.Jobs.StartPlannedAsync(plan);
        await harness.Host.RunUntilIdleAsync();

        Assert.Equal(timedOut.ExportId, Assert.Single(plan.ToStart).ReuseExportId);
        var reused = await harness.Host.GetJobAsync(Assert.Single(created).Job.JobId);
        await harness.AssertSucceededAndCompleteAsync(reused);
        Assert.Equal((timedOut.ExportId, timedOut.JobId), (reused.ExportId, reused.ExportReusedFrom));
        Assert.Equal(1, harness.Emulator.Statistics.ExportCreationsFor(role.Session.Id, role.Id));
        // Followed once: an export that ran out of time again (the reused job timing out too) gives way to a new one.
        var twice = timedOut with { ExportReusedFrom = "an-earlier-job" };
        Assert.False(twice.CanReuseExport);
    }

    [Fact]
    public async Task When_the_reused_export_is_gone_the_job_fails_and_the_plan_after_it_starts_a_new_export()
    {
        await using var harness = await WorkflowHarness.StartAsync();
        var role = harness.Emulator.Tenant.PotentialRoles.First(candidate => candidate.IdentityCount > 0);
        var candidates = new[] { new SweepCandidate(role.Session.Id, role.Id) };
        var now = DateTimeOffset.UtcNow;
        var lost = new ExportJob
        {
            JobId = ExportJobIds.NewJobId(),
            SessionId = role.Session.Id,
            PotentialRoleId = role.Id,
            State = ExportJobState.Failed,
            ExportId = "00000000-0000-0000-0000-00000000dead",
            CreatedAt = now,
            UpdatedAt = now,
            Failure = new ExportFailure { Kind = ExportFailureKind.StorageFull, Reason = "full", Step = ExportStep.Download },
        };
        await harness.Host.JobStore.TryCreateAsync(lost);

        var first = ExportSweepPlanner.Plan(candidates, [lost], ExportRequestOptions.Default);
        await harness.Host.Jobs.StartPlannedAsync(first);
        await harness.Host.RunUntilIdleAsync();
        var afterReuse = await harness.Host.Jobs.QueryAsync(ExportJobQuery.All).ToListAsync();
        var second = ExportSweepPlanner.Plan(candidates, afterReuse, ExportRequestOptions.Default);

        Assert.Equal(lost.ExportId, Assert.Single(first.ToStart).ReuseExportId);
        Assert.Contains(afterReuse, job => job.ExportReusedFrom == lost.JobId && job.State == ExportJobState.Failed);
        Assert.Null(Assert.Single(second.ToStart).ReuseExportId);
        Assert.Equal(0, harness.Emulator.Statistics.ExportCreationsFor(role.Session.Id, role.Id));
    }

    [Fact]
    public async Task A_disk_that_fills_up_at_the_manifest_gives_the_manifest_write_up_and_leaves_the_export_unpublished()
    {
        HookedArtifactStore? store = null;
        var published = new ConcurrentQueue<string>();
        await using var harness = await WorkflowHarness.StartAsync(new HarnessSettings
        {
            Artifacts = inner => store = new HookedArtifactStore(inner)
            {
                AfterPublish = (path, _) =>
                {
                    published.Enqueue(Path.GetFileName(path));
                    return Task.CompletedTask;
                },
                FailWrites = path => path.EndsWith("/" + ExportArtifactLayout.ManifestFileName, StringComparison.Ordinal)
                    ? new IOException($"No space left on device : '{path}'", FullDiskArtifactStore.DiskFullHResult)
                    : null,
            },
        });
        var role = harness.Emulator.Tenant.PotentialRoles.First(candidate => candidate.IdentityCount > 0);

        var job = (await harness.Host.Jobs.CreateAsync(new ExportJobRequest { SessionId = role.Session.Id, PotentialRoleId = role.Id })).Job;
        await harness.Host.RunUntilIdleAsync();

        var failed = await harness.Host.GetJobAsync(job.JobId);
        Assert.Equal(ExportFailureKind.StorageFull, failed.Failure!.Kind);
        var manifest = Assert.Single(store!.Writes, write => write.Path.EndsWith("/" + ExportArtifactLayout.ManifestFileName, StringComparison.Ordinal));
        Assert.True(manifest.Abandoned && manifest.Closed, "The manifest's staging write was not given up.");

        // The files published before the manifest are removed with the failed job: without a manifest nothing is there.
        Assert.Contains(ExportArtifactLayout.ZipFileName, published);
        Assert.Empty(harness.Root.Files($"{job.SessionId}/{job.PotentialRoleId}/{job.JobId}"));
    }

    [Fact]
    public async Task Temporary_job_files_left_by_a_crash_are_removed_and_those_being_written_are_kept()
    {
        using var root = new TemporaryDirectory();
        var store = new FileSystemExportJobStore(root.Path);
        var leftover = Path.Combine(root.Path, "0123456789abcdef0123456789abcdef.json.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.tmp");
        var busy = Path.Combine(root.Path, "fedcba9876543210fedcba9876543210.json.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.tmp");
        await File.WriteAllTextAsync(leftover, "{");
        await File.WriteAllTextAsync(busy, "{");
        using var writing = new FileStream(Path.Combine(root.Path, "fedcba9876543210fedcba9876543210.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);

        var removed = await store.RemoveTemporaryLeftoversAsync();

        Assert.Equal(1, removed);
        Assert.False(File.Exists(leftover));
        Assert.True(File.Exists(busy));
    }
}

/// <summary>The real store, but every write fails as a full disk does while <see cref="Switch.IsFull"/> is on.</summary>
internal sealed class FullDiskArtifactStore(IExportArtifactStore inner, FullDiskArtifactStore.Switch full) : IExportArtifactStore
{
    /// <summary>The HResult .NET gives the IOException of ENOSPC on Unix (the errno) and ERROR_DISK_FULL on Windows.</summary>
    public static int DiskFullHResult => OperatingSystem.IsWindows() ? unchecked((int)0x80070070) : 28;

    public async Task<Stream> OpenStagingWriteAsync(string stagingPath, CancellationToken cancellationToken = default)
    {
        if (full.IsFull)
        {
            Interlocked.Increment(ref full.Refused);
            throw new IOException($"No space left on device : '{stagingPath}'", DiskFullHResult);
        }

        return await inner.OpenStagingWriteAsync(stagingPath, cancellationToken);
    }

    public Task PublishAsync(string stagingPath, string path, CancellationToken cancellationToken = default) => inner.PublishAsync(stagingPath, path, cancellationToken);

    public Task<Stream?> OpenReadAsync(string path, CancellationToken cancellationToken = default) => inner.OpenReadAsync(path, cancellationToken);

    public IAsyncEnumerable<ArtifactItem> ListAsync(string prefix, CancellationToken cancellationToken = default) => inner.ListAsync(prefix, cancellationToken);

    public Task<bool> DeleteAsync(string path, CancellationToken cancellationToken = default) => inner.DeleteAsync(path, cancellationToken);

    internal sealed class Switch
    {
        public int Refused;

        public bool IsFull { get; set; }
    }
}
