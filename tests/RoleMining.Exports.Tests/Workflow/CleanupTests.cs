using Microsoft.Extensions.Logging.Testing;
using RoleMining.Emulator;
using RoleMining.Exports.Tests.Support;

namespace RoleMining.Exports.Tests.Workflow;

/// <summary>
/// The download step's clean-ups: best effort, so a store that fails them (Azure's RequestFailedException is no
/// IOException) never changes an outcome already decided, and never run on files that are not the run's to remove.
/// </summary>
public sealed class CleanupTests
{
    [Fact]
    public async Task A_store_that_fails_the_clean_up_after_success_leaves_the_job_succeeded_as_it_was_written()
    {
        var logs = new FakeLogCollector();
        var failDeletes = false;
        WorkflowHarness? started = null;
        await using var harness = await WorkflowHarness.StartAsync(new HarnessSettings
        {
            Logs = new FakeLoggerProvider(logs),
            Artifacts = inner => new HookedArtifactStore(inner)
            {
                AfterPublish = (path, _) =>
                {
                    if (path.EndsWith("/" + ExportArtifactLayout.ManifestFileName, StringComparison.Ordinal))
                    {
                        // A dead attempt's leftovers for the clean-up to remove, and a store that refuses from now on.
                        var leftover = started!.Root.Combine(path[..path.LastIndexOf('/')], ".staging", "dead-attempt", ExportArtifactLayout.ZipFileName);
                        Directory.CreateDirectory(Path.GetDirectoryName(leftover)!);
                        File.WriteAllText(leftover, "partial");
                        failDeletes = true;
                    }

                    return Task.CompletedTask;
                },
                BeforeDelete = (_, _) => failDeletes ? throw new InvalidOperationException("503 ServerBusy") : Task.CompletedTask,
            },
        });
        started = harness;
        _ = harness.Host.Services.GetService(typeof(IExportArtifactStore));
        var role = harness.Emulator.CompletedRoles()[0];
        var created = (await harness.Host.Jobs.CreateAsync(new ExportJobRequest { SessionId = role.Session.Id, PotentialRoleId = role.Id })).Job;

        await harness.Host.RunUntilIdleAsync();

        var job = await harness.Host.GetJobAsync(created.JobId);
        Assert.Equal(ExportJobState.Succeeded, job.State);
        Assert.Null(job.Lease);
        Assert.True(File.Exists(harness.Root.Combine(ExportArtifactLayout.FilePath(job, ExportArtifactLayout.ManifestFileName))));
        Assert.Equal(0, job.Attempts);
        Assert.Null(job.LastError);
        Assert.Equal(1, harness.Emulator.Statistics.RequestsFor(OperationIds.DownloadRoleMiningPotentialRoleZip));
        var failure = Assert.Single(logs.GetSnapshot(), record => record.Id.Name == "StagingCleanupFailed");
        Assert.Contains("503 ServerBusy", failure.Exception!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_store_that_fails_the_clean_up_after_a_definite_failure_still_fails_the_job_at_once()
    {
        var full = false;
        WorkflowHarness? started = null;
        string? jobId = null;
        await using var harness = await WorkflowHarness.StartAsync(new HarnessSettings
        {
            Client = inner => new HookedRoleMiningClient(inner)
            {
                BeforeDownload = async token =>
                {
                    // A dead attempt's leftovers, for the clean-up after the failure to remove.
                    var job = (await started!.Host.JobStore.GetAsync(jobId!, token))!.Job;
                    var leftover = started.Root.Combine(ExportArtifactLayout.StagingPath(job, "dead-attempt", ExportArtifactLayout.ZipFileName));
                    Directory.CreateDirectory(Path.GetDirectoryName(leftover)!);
                    await File.WriteAllTextAsync(leftover, "partial", token);
                },
            },
            Artifacts = inner => new HookedArtifactStore(inner)
            {
                FailWrites = path =>
                {
                    full = true;
                    return new IOException($"No space left on device : '{path}'", 28);
                },
                BeforeDelete = (_, _) => full ? throw new InvalidOperationException("503 ServerBusy") : Task.CompletedTask,
            },
        });
        started = harness;
        var role = harness.Emulator.CompletedRoles()[0];
        jobId = (await harness.Host.Jobs.CreateAsync(new ExportJobRequest { SessionId = role.Session.Id, PotentialRoleId = role.Id })).Job.JobId;

        await harness.Host.RunUntilIdleAsync();

        var failed = await harness.Host.GetJobAsync(jobId);
        Assert.Equal(ExportJobState.Failed, failed.State);
        Assert.Equal(ExportFailureKind.StorageFull, failed.Failure!.Kind);
        // Not downloaded again until the attempts ran out: the failure was written despite the clean-up's.
        Assert.Equal(1, harness.Emulator.Statistics.RequestsFor(OperationIds.DownloadRoleMiningPotentialRoleZip));
        Assert.True(File.Exists(harness.Root.Combine(ExportArtifactLayout.StagingPath(failed, "dead-attempt", ExportArtifactLayout.ZipFileName))));
    }

    [Fact]
    public async Task A_run_that_lost_its_lease_before_a_definite_failure_leaves_the_folder_of_the_run_that_took_over()
    {
        var full = false;
        WorkflowHarness? started = null;
        string? jobId = null;
        string? published = null;
        await using var harness = await WorkflowHarness.StartAsync(new HarnessSettings
        {
            Workflow = options => options.LeaseDuration = TimeSpan.FromSeconds(30),
            Client = inner => new HookedRoleMiningClient(inner)
            {
                BeforeDownload = async token =>
                {
                    // This run stalled, its lease ran out, and another run took the job over, published the export and
                    // marked the job succeeded. Then this run's disk fills up.
                    var store = started!.Host.JobStore;
                    var stored = (await store.GetAsync(jobId!, token))!;
                    var now = DateTimeOffset.UtcNow;
                    Assert.NotNull(await store.TryReplaceAsync(stored.Job with
                    {
                        State = ExportJobState.Succeeded,
                        Lease = null,
                        Sequence = stored.Job.Sequence + 1,
                        CompletedAt = now,
                        UpdatedAt = now,
                    }, stored.ETag, token));
                    var folder = started.Root.Combine(stored.Job.SessionId, stored.Job.PotentialRoleId, stored.Job.JobId);
                    Directory.CreateDirectory(folder);
                    published = Path.Combine(folder, ExportArtifactLayout.ManifestFileName);
                    await File.WriteAllTextAsync(published, "{}", token);
                    await File.WriteAllTextAsync(Path.Combine(folder, ExportArtifactLayout.ZipFileName), "the other run's zip", token);
                    full = true;
                },
            },
            Artifacts = inner => new HookedArtifactStore(inner)
            {
                FailWrites = path => full ? new IOException($"No space left on device : '{path}'", 28) : null,
            },
        });
        started = harness;
        var role = harness.Emulator.CompletedRoles()[0];
        jobId = (await harness.Host.Jobs.CreateAsync(new ExportJobRequest { SessionId = role.Session.Id, PotentialRoleId = role.Id })).Job.JobId;

        await harness.Host.RunUntilIdleAsync();

        Assert.Equal(ExportJobState.Succeeded, (await harness.Host.GetJobAsync(jobId)).State);
        Assert.True(File.Exists(published), "The run whose lease was gone deleted the folder the other run had published.");
        Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(published)!, ExportArtifactLayout.ZipFileName)));
        // Its own staging is gone all the same.
        Assert.False(Directory.Exists(Path.Combine(Path.GetDirectoryName(published)!, ".staging"))
            && Directory.EnumerateFiles(Path.Combine(Path.GetDirectoryName(published)!, ".staging"), "*", SearchOption.AllDirectories).Any());
    }

    [Fact]
    public async Task A_run_whose_lease_ran_out_unclaimed_before_a_definite_failure_writes_the_failure_and_removes_what_it_published()
    {
        var full = false;
        WorkflowHarness? started = null;
        string? jobId = null;
        await using var harness = await WorkflowHarness.StartAsync(new HarnessSettings
        {
            Workflow = options => options.LeaseDuration = TimeSpan.FromMinutes(30),
            Artifacts = inner => new HookedArtifactStore(inner)
            {
                AfterPublish = async (path, token) =>
                {
                    if (path.EndsWith("/entitlements.csv", StringComparison.Ordinal))
                    {
                        // The run stalled past its lease (a suspended laptop, a long pause) and nobody took the job over;
                        // then the manifest cannot be written: the disk is full.
                        var store = started!.Host.JobStore;
                        var stored = (await store.GetAsync(jobId!, token))!;
                        Assert.NotNull(await store.TryReplaceAsync(stored.Job with
                        {
                            Lease = stored.Job.Lease! with { ExpiresAt = DateTimeOffset.UtcNow - TimeSpan.FromSeconds(1) },
                        }, stored.ETag, token));
                        full = true;
                    }
                },
                FailWrites = path => full ? new IOException($"No space left on device : '{path}'", 28) : null,
            },
        });
        started = harness;
        var role = harness.Emulator.CompletedRoles()[0];
        jobId = (await harness.Host.Jobs.CreateAsync(new ExportJobRequest { SessionId = role.Session.Id, PotentialRoleId = role.Id })).Job.JobId;

        await harness.Host.RunUntilIdleAsync();

        var failed = await harness.Host.GetJobAsync(jobId);
        Assert.Equal(ExportFailureKind.StorageFull, failed.Failure!.Kind);
        harness.AssertNothingStored(failed);
    }
}
