using RoleMining.Emulator;
using RoleMining.Exports.Tests.Support;

namespace RoleMining.Exports.Tests.Workflow;

/// <summary>
/// A run killed in the middle of each step (its token cancelled, its in-memory queue thrown away), then a new process
/// over the same stores resumes it: every job ends complete, with one SailPoint export (except in the one window the start
/// step documents).
/// </summary>
public sealed class CrashResumeTests
{
    [Fact]
    public async Task Killed_before_the_start_call_the_job_is_taken_over_after_its_lease_and_exported_once()
    {
        await using var run = await CrashingRun.StartAsync((crash, client, _) => client.BeforeStart = token => crash.Fire(token));

        var job = await run.CrashAsync();
        Assert.Equal(ExportJobState.Started, job.State);
        Assert.NotNull(job.Lease);
        Assert.Null(job.ExportId);
        Assert.Equal(0, run.Creations);

        await run.ResumeAndAssertSucceededAsync(expectedCreations: 1);
    }

    [Fact]
    public async Task Killed_right_after_SailPoint_answered_the_start_the_export_id_is_kept_and_not_started_again()
    {
        await using var run = await CrashingRun.StartAsync((crash, client, _) => client.AfterStart = (_, _) =>
        {
            crash.Fire();
            return Task.CompletedTask;
        });

        var job = await run.CrashAsync();
        Assert.Equal(ExportJobState.Polling, job.State);
        Assert.NotNull(job.ExportId);
        Assert.Equal(1, run.Creations);

        await run.ResumeAndAssertSucceededAsync(expectedCreations: 1);
    }

    [Fact]
    public async Task The_documented_window_a_death_between_SailPoint_accepting_and_the_export_id_being_written_costs_one_orphan_export()
    {
        await using var run = await CrashingRun.StartAsync((crash, client, _) => client.AfterStart = (_, token) => crash.Fire(token));

        var job = await run.CrashAsync();
        Assert.Equal(ExportJobState.Started, job.State);
        Assert.Null(job.ExportId);
        Assert.Equal(1, run.Creations);

        // The taker-over cannot know the first export exists: it starts a second one and uses only that one.
        var resumed = await run.ResumeAndAssertSucceededAsync(expectedCreations: 2);
        Assert.NotNull(resumed.ExportId);
    }

    [Fact]
    public async Task Killed_during_a_poll_the_chain_is_picked_up_again()
    {
        await using var run = await CrashingRun.StartAsync((crash, client, _) => client.BeforeStatus = token => crash.Fire(token));

        var job = await run.CrashAsync();
        Assert.Equal(ExportJobState.Polling, job.State);
        Assert.Null(job.Lease);

        await run.ResumeAndAssertSucceededAsync(expectedCreations: 1);
    }

    [Fact]
    public async Task Killed_midway_through_the_download_nothing_looks_complete_and_the_resumed_run_downloads_again()
    {
        await using var run = await CrashingRun.StartAsync((crash, client, _) =>
            client.WrapDownload = body => new TrippingStream(body, 100, () => crash.Fire(CancellationToken.None)));

        var job = await run.CrashAsync();
        Assert.Equal(ExportJobState.Downloading, job.State);
        Assert.NotNull(job.Lease);
        var left = run.Harness.Root.Files($"{job.SessionId}/{job.PotentialRoleId}/{job.JobId}");
        Assert.NotEmpty(left);
        Assert.All(left, file => Assert.Contains("/.staging/", file, StringComparison.Ordinal));
        Assert.Empty(await new ExportArtifactCatalog(run.Harness.Host.Artifacts).ListCompletedAsync().ToListAsync());

        await run.ResumeAndAssertSucceededAsync(expectedCreations: 1);
        Assert.Equal(2, run.WorkflowDownloads);
    }

    [Fact]
    public async Task Killed_after_the_manifest_was_published_the_resumed_run_adopts_it_without_downloading_again()
    {
        await using var run = await CrashingRun.StartAsync((crash, _, artifacts) => artifacts.AfterPublish = (path, token) =>
            path.EndsWith("/manifest.json", StringComparison.Ordinal) ? crash.Fire(token) : Task.CompletedTask);

        var job = await run.CrashAsync();
        Assert.Equal(ExportJobState.Downloading, job.State);
        Assert.Single(await new ExportArtifactCatalog(run.Harness.Host.Artifacts).ListCompletedAsync().ToListAsync());

        await run.ResumeAndAssertSucceededAsync(expectedCreations: 1);
        Assert.Equal(1, run.WorkflowDownloads);
    }

    [Fact]
    public async Task Resuming_a_run_that_finished_sends_nothing()
    {
        await using var harness = await WorkflowHarness.StartAsync();
        var role = harness.Emulator.CompletedRoles()[0];
        await harness.Host.Jobs.CreateAsync(new ExportJobRequest { SessionId = role.Session.Id, PotentialRoleId = role.Id });
        await harness.Host.RunUntilIdleAsync();

        var host = await harness.RestartAsync();

        Assert.Empty(await host.Jobs.ResumeAsync());
        Assert.Equal(0, host.Queue.Count);
    }

    /// <summary>Fires the crash once: cancels the run's token, then throws as the dying step would.</summary>
    private sealed class Crash
    {
        private int _fired;

        public CancellationTokenSource Source { get; } = new();

        public Task Fire(CancellationToken token)
        {
            Fire();
            token.ThrowIfCancellationRequested();
            throw new OperationCanceledException(Source.Token);
        }

        public void Fire()
        {
            if (Interlocked.Exchange(ref _fired, 1) == 0)
            {
                Source.Cancel();
            }
        }
    }

    /// <summary>One job in a harness whose client and artifact store crash the run at the hooked point.</summary>
    private sealed class CrashingRun : IAsyncDisposable
    {
        private readonly Crash _crash;
        private readonly TenantPotentialRole _role;
        private string? _jobId;

        private CrashingRun(WorkflowHarness harness, Crash crash, TenantPotentialRole role)
        {
            Harness = harness;
            _crash = crash;
            _role = role;
        }

        public WorkflowHarness Harness { get; }

        /// <summary>Zip downloads the workflow made (counted before the test's own direct download).</summary>
        public long WorkflowDownloads { get; private set; }

        public long Creations => Harness.Emulator.Statistics.ExportCreationsFor(_role.Session.Id, _role.Id);

        public static async Task<CrashingRun> StartAsync(Action<Crash, HookedRoleMiningClient, HookedArtifactStore> hook)
        {
            var crash = new Crash();
            HookedRoleMiningClient? client = null;
            HookedArtifactStore? artifacts = null;
            var harness = await WorkflowHarness.StartAsync(new HarnessSettings
            {
                Workflow = options => options.LeaseDuration = TimeSpan.FromSeconds(1),
                Client = inner => client = new HookedRoleMiningClient(inner),
                Artifacts = inner => artifacts = new HookedArtifactStore(inner),
            });
            _ = harness.Host.Services.GetService(typeof(IExportArtifactStore));
            _ = harness.Host.Services.GetService(typeof(RoleMining.SailPoint.IRoleMiningClient));
            hook(crash, client!, artifacts!);
            return new CrashingRun(harness, crash, harness.Emulator.CompletedRoles()[0]);
        }

        /// <summary>Creates the job and runs until the hook kills the run; returns the job as the crash left it.</summary>
        public async Task<ExportJob> CrashAsync()
        {
            _jobId = (await Harness.Host.Jobs.CreateAsync(new ExportJobRequest { SessionId = _role.Session.Id, PotentialRoleId = _role.Id })).Job.JobId;
            await Harness.Host.RunUntilCrashAsync(_crash.Source);
            return await Harness.Host.GetJobAsync(_jobId);
        }

        /// <summary>A new process without hooks resumes from the stores and finishes the job.</summary>
        public async Task<ExportJob> ResumeAndAssertSucceededAsync(long expectedCreations)
        {
            var host = await Harness.RestartAsync(new HarnessSettings { Workflow = options => options.LeaseDuration = TimeSpan.FromSeconds(1) });
            var resumed = await host.Jobs.ResumeAsync();
            Assert.Equal(_jobId, Assert.Single(resumed).JobId);
            await host.RunUntilIdleAsync();

            var job = await host.GetJobAsync(_jobId!);
            WorkflowDownloads = Harness.Emulator.Statistics.RequestsFor(OperationIds.DownloadRoleMiningPotentialRoleZip);
            var stored = await Harness.AssertSucceededAndCompleteAsync(job);
            Assert.Equal(await Harness.DirectDownloadAsync(job.SessionId, job.PotentialRoleId, job.ExportId!), stored);
            Assert.Equal(expectedCreations, Creations);
            return job;
        }

        public async ValueTask DisposeAsync()
        {
            await Harness.DisposeAsync();
            _crash.Source.Dispose();
        }
    }
}
