using RoleMining.Emulator;
using RoleMining.Exports.Tests.Support;

namespace RoleMining.Exports.Tests.Workflow;

/// <summary>
/// The resume of stalled jobs (<see cref="ExportJobService.ResumeAsync"/> with a stall timeout, what the Functions app's
/// resume timer runs): it sends again only the message of a job whose step's lease ran out or whose due message nobody
/// claimed, never one a live step is still working on; the resumed job finishes with one SailPoint export; and the
/// original message, when the dead instance's queue finally delivers it again, changes nothing.
/// </summary>
public sealed class StalledJobResumeTests
{
    private static readonly TimeSpan StallTimeout = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task Only_jobs_whose_lease_ran_out_or_whose_due_message_went_unclaimed_are_resumed_and_each_once()
    {
        await using var harness = await WorkflowHarness.StartAsync();
        var roles = harness.Emulator.CompletedRoles();
        var now = DateTimeOffset.UtcNow;
        var deadClaim = await CreateAsync(harness, roles[0], job => job with
        {
            State = ExportJobState.Started,
            UpdatedAt = now - TimeSpan.FromSeconds(70),
            Lease = new ExportJobLease { LeaseId = "dead", ExpiresAt = now - TimeSpan.FromSeconds(1) },
        });
        var liveClaim = await CreateAsync(harness, roles[1], job => job with
        {
            State = ExportJobState.Started,
            // Claimed long ago and due long ago, but its holder keeps renewing the lease: still at work.
            UpdatedAt = now - TimeSpan.FromMinutes(30),
            NextStepDueAt = now - TimeSpan.FromMinutes(30),
            Lease = new ExportJobLease { LeaseId = "live", ExpiresAt = now + TimeSpan.FromSeconds(40) },
        });
        var lostMessage = await CreateAsync(harness, roles[2], job => job with
        {
            UpdatedAt = now - TimeSpan.FromMinutes(2),
            NextStepDueAt = now - TimeSpan.FromMinutes(2),
        });
        var justDue = await CreateAsync(harness, roles[3], job => job with
        {
            UpdatedAt = now - TimeSpan.FromSeconds(20),
            NextStepDueAt = now - TimeSpan.FromSeconds(20),
        });
        var dueLater = await CreateAsync(harness, roles[4], job => job with
        {
            State = ExportJobState.Polling,
            ExportId = "export-" + Guid.NewGuid().ToString("N"),
            UpdatedAt = now - TimeSpan.FromMinutes(5),
            NextStep = ExportStep.Poll,
            NextStepDueAt = now + TimeSpan.FromMinutes(1),
        });
        var untouched = new[] { liveClaim, justDue, dueLater };
        var versions = await VersionsAsync(harness, untouched);
        var queued = harness.Host.Queue.Snapshot().Select(message => message.MessageId).ToHashSet(StringComparer.Ordinal);

        // Two resumers at once (two instances' timers): each stalled job gets one copy, not two.
        var runs = await Task.WhenAll(harness.Host.Jobs.ResumeAsync(StallTimeout), harness.Host.Jobs.ResumeAsync(StallTimeout));

        var resumed = runs.SelectMany(run => run).ToList();
        Assert.Equal(new[] { deadClaim, lostMessage }.Order(), resumed.Select(job => job.JobId).Order());
        var sent = harness.Host.Queue.Snapshot().Where(message => !queued.Contains(message.MessageId)).ToList();
        Assert.Equal(2, sent.Count);
        foreach (var job in resumed)
        {
            var copy = Assert.Single(sent, message => message.JobId == job.JobId);
            Assert.Equal(ExportStep.Start, copy.Step);
            Assert.Equal(job.Sequence, copy.Sequence);
            var stored = await harness.Host.GetJobAsync(job.JobId);
            Assert.Equal(1, stored.Resumes);
            Assert.NotNull(stored.ResumedAt);
        }

        Assert.Equal(versions, await VersionsAsync(harness, untouched));

        // Resumed once per stall timeout: the copies get their chance before anything is sent again.
        Assert.Empty(await harness.Host.Jobs.ResumeAsync(StallTimeout));
    }

    [Theory]
    [InlineData(ExportStep.Start)]
    [InlineData(ExportStep.Poll)]
    [InlineData(ExportStep.Download)]
    public async Task A_step_still_at_work_is_never_resumed_however_long_it_takes(ExportStep step)
    {
        var lease = TimeSpan.FromSeconds(1);
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Func<CancellationToken, Task> slow = async token =>
        {
            entered.TrySetResult();
            await release.Task.WaitAsync(token);
        };
        HookedRoleMiningClient? client = null;
        await using var clock = new PausableClock();
        await using var harness = await WorkflowHarness.StartAsync(new HarnessSettings
        {
            Workflow = options => options.LeaseDuration = lease,
            Client = inner => client = new HookedRoleMiningClient(inner),
            Time = clock,
        });
        _ = harness.Host.Services.GetService(typeof(RoleMining.SailPoint.IRoleMiningClient));
        switch (step)
        {
            case ExportStep.Start:
                client!.BeforeStart = slow;
                break;
            case ExportStep.Poll:
                client!.BeforeStatus = slow;
                break;
            default:
                client!.BeforeDownload = slow;
                break;
        }

        var role = harness.Emulator.CompletedRoles()[0];
        var job = (await harness.Host.Jobs.CreateAsync(new ExportJobRequest { SessionId = role.Session.Id, PotentialRoleId = role.Id })).Job;
        var run = harness.Host.RunUntilIdleAsync(TimeSpan.FromSeconds(60));
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // Four lease durations with a stall timeout far shorter than the step. The clock moves only while the live holder
        // waits for its renewal and never past the lease, so a busy machine cannot let the lease lapse; at every step,
        // right up to each renewal, the resumer finds nothing to resume.
        await clock.PauseAsync();
        try
        {
            var end = clock.GetUtcNow() + (lease * 4);
            var held = (await harness.Host.GetJobAsync(job.JobId)).Lease!;
            while (clock.GetUtcNow() < end)
            {
                held = await harness.AdvanceUntilRenewedAsync(
                    clock,
                    job.JobId,
                    held,
                    async () => Assert.Empty(await harness.Host.Jobs.ResumeAsync(TimeSpan.FromMilliseconds(200))));
                Assert.Equal(step, (await harness.Host.GetJobAsync(job.JobId)).NextStep);
            }
        }
        finally
        {
            clock.Resume();
            release.TrySetResult();
        }

        await run;
        var done = await harness.Host.GetJobAsync(job.JobId);
        await harness.AssertSucceededAndCompleteAsync(done);
        Assert.Equal(0, done.Resumes);
        Assert.Equal(1, harness.Emulator.Statistics.ExportCreationsFor(role.Session.Id, role.Id));
        Assert.Equal(1, harness.Emulator.Statistics.RequestsFor(OperationIds.DownloadRoleMiningPotentialRoleZip));
    }

    [Theory]
    [InlineData(ExportStep.Start)]
    [InlineData(ExportStep.Poll)]
    [InlineData(ExportStep.Download)]
    public async Task A_job_whose_instance_died_mid_step_is_resumed_once_its_lease_ran_out_and_the_late_original_changes_nothing(ExportStep step)
    {
        await using var run = await CrashingRun.StartAsync(CrashIn(step), leaseDuration: TimeSpan.FromSeconds(2));
        var crashed = await run.CrashAsync();
        Assert.Equal(step, crashed.NextStep);
        var lease = Assert.IsType<ExportJobLease>(crashed.Lease);
        var held = run.HeldMessage(crashed);
        var survivor = await run.StartSurvivorAsync();

        // The survivor's timer: nothing while the dead step's lease could still be renewed, the job once it ran out.
        IReadOnlyList<ExportJob> resumed;
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(30);
        do
        {
            await Task.Delay(100);
            resumed = await survivor.Jobs.ResumeAsync(StallTimeout);
        }
        while (resumed.Count == 0 && DateTimeOffset.UtcNow < deadline);

        var job = Assert.Single(resumed);
        Assert.True(job.ResumedAt >= lease.ExpiresAt, $"Resumed at {job.ResumedAt:O}, before the lease ran out at {lease.ExpiresAt:O}.");
        Assert.Equal(crashed.Sequence, Assert.Single(survivor.Queue.Snapshot()).Sequence);
        var finished = await run.FinishAndAssertSucceededAsync(survivor, expectedCreations: 1);
        Assert.Equal(1, finished.Resumes);

        // Ten minutes later in Azure, the dead instance's message becomes visible again and is delivered a second time.
        var before = await survivor.JobStore.GetAsync(job.JobId);
        var requests = run.Harness.Emulator.Statistics.TotalRequests;
        var late = await survivor.Workflow.HandleAsync(held, new ExportDelivery(2));

        Assert.Equal(ExportStepOutcome.Duplicate, late.Outcome);
        Assert.Empty(late.Messages);
        Assert.Equal(before!.ETag, (await survivor.JobStore.GetAsync(job.JobId))!.ETag);
        Assert.Equal(requests, run.Harness.Emulator.Statistics.TotalRequests);
        Assert.Equal(1, run.Creations);
    }

    [Theory]
    [InlineData(ExportStep.Start)]
    [InlineData(ExportStep.Poll)]
    [InlineData(ExportStep.Download)]
    public async Task The_lease_a_killed_process_left_is_ended_at_once_by_the_process_that_alone_works_on_the_store(ExportStep step)
    {
        // The command line after a kill: its folder's lock says the earlier process is gone, so its ten-minute lease need
        // not be waited out.
        await using var run = await CrashingRun.StartAsync(CrashIn(step), leaseDuration: TimeSpan.FromMinutes(10));
        var crashed = await run.CrashAsync();
        Assert.True(crashed.Lease?.ExpiresAt > DateTimeOffset.UtcNow + TimeSpan.FromMinutes(5));
        var survivor = await run.StartSurvivorAsync();

        Assert.Equal(1, await survivor.Jobs.EndLeasesOfEarlierProcessesAsync());
        var resumed = Assert.Single(await survivor.Jobs.ResumeAsync());
        var handled = await survivor.Workflow.HandleAsync(Assert.Single(survivor.Queue.Snapshot()), new ExportDelivery(1));

        Assert.Equal(step, resumed.NextStep);
        Assert.NotEqual(ExportStepOutcome.Deferred, handled.Outcome);
        await run.FinishAndAssertSucceededAsync(survivor, expectedCreations: 1);
        // Nothing else was leased: a second call ends nothing.
        Assert.Equal(0, await survivor.Jobs.EndLeasesOfEarlierProcessesAsync());
    }

    [Fact]
    public async Task A_late_original_start_delivered_while_the_resumed_job_is_still_polling_changes_nothing()
    {
        await using var run = await CrashingRun.StartAsync((crash, client, _) => client.BeforeStart = token => crash.Fire(token));
        var crashed = await run.CrashAsync();
        var held = run.HeldMessage(crashed);
        var survivor = await run.StartSurvivorAsync();
        var untilExpired = crashed.Lease!.ExpiresAt - DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(50);
        await Task.Delay(untilExpired > TimeSpan.Zero ? untilExpired : TimeSpan.Zero);
        Assert.Single(await survivor.Jobs.ResumeAsync(StallTimeout));
        var resumedStart = Assert.Single(survivor.Queue.Snapshot());
        Assert.Equal(ExportStepOutcome.Advanced, (await survivor.Workflow.HandleAsync(resumedStart, ExportDelivery.First)).Outcome);
        var polling = (await survivor.JobStore.GetAsync(crashed.JobId))!;
        Assert.Equal(ExportJobState.Polling, polling.Job.State);

        var late = await survivor.Workflow.HandleAsync(held, new ExportDelivery(2));

        Assert.Equal(ExportStepOutcome.Duplicate, late.Outcome);
        Assert.Empty(late.Messages);
        Assert.Equal(polling.ETag, (await survivor.JobStore.GetAsync(crashed.JobId))!.ETag);
        await run.FinishAndAssertSucceededAsync(survivor, expectedCreations: 1);
    }

    /// <summary>Creates a job for <paramref name="role"/> and rewrites it as <paramref name="shape"/> says.</summary>
    /// <summary>Kills the run in <paramref name="step"/>: before the start call, before a status call, or mid-download.</summary>
    private static Action<Crash, HookedRoleMiningClient, HookedArtifactStore> CrashIn(ExportStep step) => (crash, client, _) =>
    {
        switch (step)
        {
            case ExportStep.Start:
                client.BeforeStart = token => crash.Fire(token);
                break;
            case ExportStep.Poll:
                client.BeforeStatus = token => crash.Fire(token);
                break;
            default:
                client.WrapDownload = body => new TrippingStream(body, 100, () => crash.Fire(CancellationToken.None));
                break;
        }
    };

    private static async Task<string> CreateAsync(WorkflowHarness harness, TenantPotentialRole role, Func<ExportJob, ExportJob> shape)
    {
        var job = (await harness.Host.Jobs.CreateAsync(new ExportJobRequest { SessionId = role.Session.Id, PotentialRoleId = role.Id })).Job;
        var stored = (await harness.Host.JobStore.GetAsync(job.JobId))!;
        Assert.NotNull(await harness.Host.JobStore.TryReplaceAsync(shape(stored.Job), stored.ETag));
        return job.JobId;
    }

    private static async Task<Dictionary<string, string>> VersionsAsync(WorkflowHarness harness, IEnumerable<string> jobIds)
    {
        var versions = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var jobId in jobIds)
        {
            versions[jobId] = (await harness.Host.JobStore.GetAsync(jobId))!.ETag;
        }

        return versions;
    }
}
