using System.Net;
using RoleMining.Exports.Tests.Support;
using RoleMining.SailPoint;

namespace RoleMining.Exports.Tests.Workflow;

/// <summary>
/// Two executions of one download: a run that stalls past its lease (a frozen process, storage calls that hang) while
/// another takes the job over or fails it, and then goes on. Whatever the stalled run does afterwards, the folder ends as
/// the job says: a succeeded job keeps its files and its own manifest, a failed one has no manifest. (Found by a review
/// against Azurite; the race is the store's too, so it runs on the file system here.)
/// </summary>
public sealed class StalledRunTests
{
    /// <summary>
    /// Run A fails for good (SailPoint refused the download) and removes the job's files (ones a run that died mid-publish
    /// left); its deletes are slow (storage throttling, SDK retries), and another execution of the download arrives
    /// meanwhile, its lease run out if it still has one. A's deletes used to come first: its lease ran out during them,
    /// B took over, published and succeeded, and A's remaining deletes removed B's files (a succeeded job whose files were
    /// gone). Now A writes the failure first, so B finds the job ended and A's deletes remove only a failed job's files.
    /// </summary>
    [Fact]
    public async Task A_failing_run_writes_its_failure_before_its_deletes_so_a_takeover_meanwhile_finds_the_job_ended()
    {
        var refuse = true;
        var tookOver = 0;
        WorkflowHarness? started = null;
        ExportMessage? download = null;
        ExportStepResult? takeover = null;
        await using var harness = await WorkflowHarness.StartAsync(new HarnessSettings
        {
            Workflow = options => options.LeaseDuration = TimeSpan.FromMinutes(30),
            Client = inner => new HookedRoleMiningClient(inner)
            {
                BeforeDownload = _ => Volatile.Read(ref refuse)
                    ? throw new SailPointException(new SailPointErrorDetails { OperationId = "downloadRoleMiningPotentialRoleZip", Status = HttpStatusCode.Forbidden, Reason = "403 (a passing permission glitch)" })
                    : Task.CompletedTask,
            },
            Artifacts = inner => new HookedArtifactStore(inner)
            {
                BeforeDelete = async (path, token) =>
                {
                    if (ExportArtifactLayout.IsStagingPath(path) || Interlocked.Exchange(ref tookOver, 1) == 1)
                    {
                        return;
                    }

                    // A's first delete of a published file is slow: meanwhile its lease (if the job still has one) runs out,
                    // and B, whose download would work, runs.
                    Volatile.Write(ref refuse, false);
                    await ExpireLeaseAsync(started!, download!.JobId, token);
                    takeover = await started!.Host.Workflow.HandleAsync(download with { MessageId = "takeover" }, ExportDelivery.First, token);
                },
            },
        });
        started = harness;
        var job = await CreateJobAsync(harness);
        download = await DriveToDownloadAsync(harness, harness.Host.Queue.Snapshot().Single());

        // What a run that died between publishing its files and its manifest left.
        var artifacts = harness.Host.Artifacts;
        foreach (var name in new[] { "export.zip", "identities.csv", "entitlements.csv" })
        {
            var staging = ExportArtifactLayout.StagingPath(job, "dead-run", name);
            await using (var write = await artifacts.OpenStagingWriteAsync(staging))
            {
                await write.WriteAsync("the dead run's copy"u8.ToArray());
            }

            await artifacts.PublishAsync(staging, ExportArtifactLayout.FilePath(job, name));
        }

        var a = await harness.Host.Workflow.HandleAsync(download, ExportDelivery.First);

        Assert.Equal(ExportStepOutcome.Failed, a.Outcome);
        Assert.Equal(ExportStepOutcome.Duplicate, takeover!.Outcome);
        var final = await harness.Host.GetJobAsync(job.JobId);
        Assert.Equal(ExportJobState.Failed, final.State);
        Assert.Null(await new ExportArtifactCatalog(artifacts).GetManifestAsync(final));
        Assert.Empty(await artifacts.ListAsync(ExportArtifactLayout.JobFolder(final) + "/").ToListAsync());
    }

    /// <summary>
    /// Run A has published its files and stalls past its lease before its manifest, either before its last lease check or
    /// after it; meanwhile the message is handled as poison (or the claim cap gives the job up), which fails the job and
    /// deletes its files. A then goes on: it used to publish its manifest, leaving a failed job's folder with a manifest
    /// (a complete export to every reader) and no files.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_run_that_stalls_before_its_manifest_leaves_none_once_the_job_was_failed_and_its_files_deleted(bool afterTheLastCheck)
    {
        ExportJob? poisoned = null;
        await using var run = await StalledRun.StartAsync(afterTheLastCheck, async (harness, download, token) =>
            poisoned = await harness.Host.Workflow.HandlePoisonMessageAsync(download, "the deliveries timed out", token));
        var (harness, job, a) = (run.Harness, run.Job, await run.RunAsync());

        Assert.Equal(ExportJobState.Failed, poisoned!.State);
        Assert.Equal(ExportStepOutcome.LeaseLost, a.Outcome);
        var final = await harness.Host.GetJobAsync(job.JobId);
        Assert.Equal(ExportJobState.Failed, final.State);
        var listed = await harness.Host.Artifacts.ListAsync(ExportArtifactLayout.JobFolder(final) + "/").Select(item => item.Path[(ExportArtifactLayout.JobFolder(final).Length + 1)..]).ToListAsync();
        var manifest = await new ExportArtifactCatalog(harness.Host.Artifacts).GetManifestAsync(final);
        Assert.True(manifest is null, $"The failed job's folder holds a manifest naming {string.Join(", ", manifest?.Files.Select(file => file.Name) ?? [])}, while the folder holds only: {string.Join(", ", listed)}");
    }

    /// <summary>
    /// Run A has published its files and stalls past its lease before its manifest (before its last lease check or after
    /// it); run B takes over and finishes (files, manifest, job succeeded). A then goes on: it used to publish its manifest
    /// over B's, so that the succeeded job (B's) and the manifest every reader trusts (A's) came from two executions.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_stalled_run_leaves_the_manifest_of_the_run_that_took_over_and_succeeded(bool afterTheLastCheck)
    {
        ExportStepResult? takeover = null;
        await using var run = await StalledRun.StartAsync(afterTheLastCheck, async (harness, download, token) =>
        {
            await Task.Delay(50, token); // so that the two runs' completion times differ visibly
            takeover = await harness.Host.Workflow.HandleAsync(download with { MessageId = "takeover" }, ExportDelivery.First, token);
        });
        var (harness, job, a) = (run.Harness, run.Job, await run.RunAsync());

        Assert.Equal(ExportStepOutcome.Succeeded, takeover!.Outcome);
        Assert.Equal(ExportStepOutcome.LeaseLost, a.Outcome);
        var final = await harness.Host.GetJobAsync(job.JobId);
        var manifest = (await new ExportArtifactCatalog(harness.Host.Artifacts).GetManifestAsync(final))!;
        Assert.True(final.CompletedAt == manifest.CompletedAt,
            $"The job (written by run B) completed at {final.CompletedAt:O}; the published manifest says {manifest.CompletedAt:O} (written by run A after B had finished).");
        Assert.Equal(final.Artifacts, manifest.Files);
    }

    /// <summary>
    /// A job driven to its download, whose run (A) stalls once just before its manifest: after the zip and both CSV files
    /// are published (before its last lease check), or as the manifest is about to be written (after it; a stall after
    /// the manifest's staging write is fenced already: whoever intervenes deletes that staging file). There its lease runs
    /// out and <c>intervene</c> runs (another execution, the poison handler); then A goes on.
    /// </summary>
    private sealed class StalledRun : IAsyncDisposable
    {
        private ExportMessage? _download;

        private StalledRun(WorkflowHarness harness, ExportJob job) => (Harness, Job) = (harness, job);

        public WorkflowHarness Harness { get; private set; } = null!;

        public ExportJob Job { get; private set; } = null!;

        public static async Task<StalledRun> StartAsync(bool afterTheLastCheck, Func<WorkflowHarness, ExportMessage, CancellationToken, Task> intervene)
        {
            StalledRun? run = null;
            async Task Stall(CancellationToken token)
            {
                await ExpireLeaseAsync(run!.Harness, run.Job.JobId, token);
                await intervene(run.Harness, run._download!, token);
            }

            var calls = 0;
            var harness = await WorkflowHarness.StartAsync(new HarnessSettings
            {
                Workflow = options => options.LeaseDuration = TimeSpan.FromMinutes(30),
                Artifacts = inner => afterTheLastCheck
                    ? new HookedArtifactStore(inner)
                    {
                        BeforeStagingWrite = (path, token) => path.EndsWith("/" + ExportArtifactLayout.ManifestFileName, StringComparison.Ordinal) && Interlocked.Increment(ref calls) == 1 ? Stall(token) : Task.CompletedTask,
                    }
                    : new HookedArtifactStore(inner) { AfterPublish = (_, token) => Interlocked.Increment(ref calls) == 3 ? Stall(token) : Task.CompletedTask },
            });
            run = new StalledRun(harness, await CreateJobAsync(harness));
            run._download = await DriveToDownloadAsync(harness, harness.Host.Queue.Snapshot().Single());
            return run;
        }

        /// <summary>Runs A's download to its end.</summary>
        public Task<ExportStepResult> RunAsync() => Harness.Host.Workflow.HandleAsync(_download!, ExportDelivery.First);

        public ValueTask DisposeAsync() => Harness.DisposeAsync();
    }

    /// <summary>Makes the job's lease run out now, as it does for a run that stalls past it.</summary>
    private static async Task ExpireLeaseAsync(WorkflowHarness harness, string jobId, CancellationToken cancellationToken)
    {
        var stored = (await harness.Host.JobStore.GetAsync(jobId, cancellationToken))!;
        if (stored.Job.Lease is { } lease)
        {
            Assert.NotNull(await harness.Host.JobStore.TryReplaceAsync(stored.Job with { Lease = lease with { ExpiresAt = DateTimeOffset.UtcNow - TimeSpan.FromSeconds(1) } }, stored.ETag, cancellationToken));
        }
    }

    private static async Task<ExportJob> CreateJobAsync(WorkflowHarness harness)
    {
        var role = harness.Emulator.CompletedRoles()[0];
        return (await harness.Host.Jobs.CreateAsync(new ExportJobRequest { SessionId = role.Session.Id, PotentialRoleId = role.Id })).Job;
    }

    private static async Task<ExportMessage> DriveToDownloadAsync(WorkflowHarness harness, ExportMessage start)
    {
        var message = start;
        for (var step = 0; step < 100; step++)
        {
            var result = await harness.Host.Workflow.HandleAsync(message, ExportDelivery.First);
            message = Assert.Single(result.Messages).Message;
            if (message.Step == ExportStep.Download)
            {
                return message;
            }

            await Task.Delay(50);
        }

        throw new InvalidOperationException("The export did not reach its download.");
    }
}
