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
        // Stopped rather than killed at the hook, so that the step still writes the export id SailPoint answered: a kill
        // just after that write.
        await using var run = await CrashingRun.StartAsync(
            (crash, client, _) => client.AfterStart = (_, _) =>
            {
                crash.Fire();
                return Task.CompletedTask;
            },
            kind: CrashKind.Stop);

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
        // The poll held a lease while it asked; the resumed run takes over once it ran out.
        Assert.NotNull(job.Lease);
        Assert.Equal(0, job.PollCount);

        await run.ResumeAndAssertSucceededAsync(expectedCreations: 1);
    }

    [Fact]
    public async Task Killed_midway_through_the_download_nothing_looks_complete_and_the_resumed_run_downloads_again()
    {
        await using var run = await CrashingRun.StartAsync((crash, client, _) =>
            client.WrapDownload = body => new TrippingStream(body, 100, () => crash.Fire(CancellationToken.None)));

        var job = await run.CrashAsync();
        Assert.Equal(ExportJobState.Downloading, job.State);
        // A killed process cannot give its lease back: it holds the job until it runs out.
        Assert.NotNull(job.Lease);

        // The in-process kill still gave the staging writes up, which deleted their partial files. A killed process
        // cannot: its partial file (planted here) stays for the resumed attempt to remove.
        var folder = $"{job.SessionId}/{job.PotentialRoleId}/{job.JobId}";
        Assert.Empty(run.Harness.Root.Files(folder));
        var killed = await run.Harness.Host.Artifacts.OpenStagingWriteAsync(ExportArtifactLayout.StagingPath(job, "killed", ExportArtifactLayout.ZipFileName));
        await using (killed)
        {
            await killed.WriteAsync(new byte[1000]);
        }

        Assert.Empty(await new ExportArtifactCatalog(run.Harness.Host.Artifacts).ListCompletedAsync().ToListAsync());

        await run.ResumeAndAssertSucceededAsync(expectedCreations: 1);
        Assert.Equal(2, run.WorkflowDownloads);
        Assert.DoesNotContain(run.Harness.Root.Files(folder), file => file.Contains("/.staging/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Stopped_after_a_file_was_staged_the_attempt_removes_its_staging_files_and_the_rerun_downloads_again()
    {
        // Ctrl+C (or a shutdown) once a file of the zip is staged in full: the run is cancelled, not killed.
        await using var run = await CrashingRun.StartAsync(
            (crash, _, artifacts) => artifacts.AfterWriteCompleted = probe =>
            {
                if (probe.Path.EndsWith(".csv", StringComparison.Ordinal))
                {
                    crash.Fire();
                }
            },
            kind: CrashKind.Stop);

        var job = await run.CrashAsync();

        Assert.Equal(ExportJobState.Downloading, job.State);
        Assert.Empty(run.Harness.Root.Files($"{job.SessionId}/{job.PotentialRoleId}/{job.JobId}"));
        // The lease was given back: the rerun takes the job over at once instead of waiting for it to run out.
        Assert.Null(job.Lease);
        await run.ResumeAndAssertSucceededAsync(expectedCreations: 1);
        Assert.Equal(2, run.WorkflowDownloads);
    }

    [Fact]
    public async Task Stopped_while_publishing_the_publish_finishes_so_no_file_looks_done_without_its_manifest()
    {
        await using var run = await CrashingRun.StartAsync(
            (crash, _, artifacts) => artifacts.AfterPublish = (path, _) =>
            {
                // Ctrl+C right after the first file moved to its final place.
                crash.Fire();
                return Task.CompletedTask;
            },
            kind: CrashKind.Stop);

        var job = await run.CrashAsync();

        // The job finished: its files, its manifest and its state, from the one download.
        Assert.Equal(ExportJobState.Succeeded, job.State);
        Assert.Single(await new ExportArtifactCatalog(run.Harness.Host.Artifacts).ListCompletedAsync().ToListAsync());
        await run.Harness.AssertSucceededAndCompleteAsync(job);
        Assert.DoesNotContain(run.Harness.Root.Files($"{job.SessionId}/{job.PotentialRoleId}/{job.JobId}"), file => file.Contains("/.staging/", StringComparison.Ordinal));
        Assert.Equal(1, run.Harness.Emulator.Statistics.RequestsFor(OperationIds.DownloadRoleMiningPotentialRoleZip));
    }

    [Fact]
    public async Task Stopped_while_a_publish_hangs_the_publish_is_given_up_after_the_stop_grace_and_the_rerun_finishes_the_job()
    {
        // A storage account that stops answering midway through the publish of a stopped run.
        await using var clock = new PausableClock();
        var hanging = new TaskCompletionSource<(CancellationToken, DateTimeOffset)>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var run = await CrashingRun.StartAsync(
            (crash, _, artifacts) => artifacts.AfterPublish = async (_, token) =>
            {
                crash.Fire();
                hanging.TrySetResult((token, clock.GetUtcNow()));
                await Task.Delay(Timeout.Infinite, token);
            },
            leaseDuration: TimeSpan.FromMinutes(10),
            time: clock,
            kind: CrashKind.Stop);

        var job = await CrashGivingUpAfterStopGraceAsync(run, clock, hanging.Task);

        Assert.Empty(await new ExportArtifactCatalog(run.Harness.Host.Artifacts).ListCompletedAsync().ToListAsync());
        await ResumeAfterLeaseAsync(run, clock);
    }

    [Fact]
    public async Task Stopped_while_the_cleanup_hangs_the_cleanup_is_given_up_after_the_stop_grace_and_the_rerun_removes_the_staging()
    {
        await using var clock = new PausableClock();
        var hanging = new TaskCompletionSource<(CancellationToken, DateTimeOffset)>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var run = await CrashingRun.StartAsync(
            (crash, _, artifacts) =>
            {
                artifacts.AfterWriteCompleted = probe =>
                {
                    if (probe.Path.EndsWith(".csv", StringComparison.Ordinal))
                    {
                        crash.Fire();
                    }
                };
                artifacts.BeforeDelete = async (_, token) =>
                {
                    if (crash.Source.IsCancellationRequested)
                    {
                        hanging.TrySetResult((token, clock.GetUtcNow()));
                        await Task.Delay(Timeout.Infinite, token);
                    }
                };
            },
            leaseDuration: TimeSpan.FromMinutes(10),
            time: clock,
            kind: CrashKind.Stop);

        var job = await CrashGivingUpAfterStopGraceAsync(run, clock, hanging.Task);

        var folder = $"{job.SessionId}/{job.PotentialRoleId}/{job.JobId}";
        Assert.Contains(run.Harness.Root.Files(folder), file => file.Contains("/.staging/", StringComparison.Ordinal));
        await ResumeAfterLeaseAsync(run, clock);
        Assert.DoesNotContain(run.Harness.Root.Files(folder), file => file.Contains("/.staging/", StringComparison.Ordinal));
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

    /// <summary>
    /// Runs until the crash, with the step's call that hangs (its token, and the clock's time when it began to hang, from
    /// <paramref name="hanging"/>) given up only once the stop grace passed; returns the job as the stopped run left it.
    /// </summary>
    private static async Task<ExportJob> CrashGivingUpAfterStopGraceAsync(CrashingRun run, PausableClock clock, Task<(CancellationToken Token, DateTimeOffset At)> hanging)
    {
        var crashing = run.CrashAsync();
        var (token, hangingSince) = await hanging.WaitAsync(TimeSpan.FromSeconds(30));
        await clock.PauseAsync();

        // The timers fire inside Advance, so the token's state is decided here, not by how busy the machine is. The grace
        // started just before the call began to hang (at most a few steps of code earlier); times are taken from then.
        clock.Advance(hangingSince + DownloadExportStep.StopGrace - TimeSpan.FromSeconds(2) - clock.GetUtcNow());
        Assert.False(token.IsCancellationRequested);
        clock.Advance(TimeSpan.FromSeconds(3));
        Assert.True(token.IsCancellationRequested);

        var job = await crashing.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(ExportJobState.Downloading, job.State);
        return job;
    }

    /// <summary>Lets the stopped run's lease run out on the shared clock, then resumes the job in a new process.</summary>
    private static async Task ResumeAfterLeaseAsync(CrashingRun run, PausableClock clock)
    {
        clock.Advance(run.LeaseDuration);
        clock.Resume();
        await run.ResumeAndAssertSucceededAsync(expectedCreations: 1);
    }
}
