using RoleMining.Emulator;
using RoleMining.Exports.Tests.Support;

namespace RoleMining.Exports.Tests.Workflow;

/// <summary>At-least-once delivery: every message may come twice, at once or late, and nothing may happen twice.</summary>
public sealed class DuplicateDeliveryTests
{
    [Fact]
    public async Task Every_message_sent_twice_at_once_and_once_more_late_still_gives_one_export_and_one_complete_folder_per_job()
    {
        DuplicatingExportQueue? duplicator = null;
        await using var harness = await WorkflowHarness.StartAsync(new HarnessSettings
        {
            Queue = inner => duplicator = new DuplicatingExportQueue(inner, copies: 2, lateCopyDelay: TimeSpan.FromMilliseconds(250)),
            Workflow = options => options.LeaseDuration = TimeSpan.FromSeconds(1),
        });
        var roles = harness.Emulator.CompletedRoles().Take(8).ToList();

        var jobs = new List<ExportJob>();
        foreach (var role in roles)
        {
            jobs.Add((await harness.Host.Jobs.CreateAsync(new ExportJobRequest { SessionId = role.Session.Id, PotentialRoleId = role.Id })).Job);
        }

        await harness.Host.RunUntilIdleAsync();

        // One download per job: a duplicate download message never fetched the zip a second time.
        Assert.Equal(jobs.Count, harness.Emulator.Statistics.RequestsFor(OperationIds.DownloadRoleMiningPotentialRoleZip));
        Assert.Equal(jobs.Count, await harness.Host.Jobs.QueryAsync(ExportJobQuery.All).CountAsync());
        foreach (var created in jobs)
        {
            var job = await harness.Host.GetJobAsync(created.JobId);
            var stored = await harness.AssertSucceededAndCompleteAsync(job);
            Assert.Equal(1, harness.Emulator.Statistics.ExportCreationsFor(job.SessionId, job.PotentialRoleId));
            Assert.Equal(await harness.DirectDownloadAsync(job.SessionId, job.PotentialRoleId, job.ExportId!), stored);
        }

        Assert.True(duplicator!.Sent >= jobs.Count * 3 * 3, $"Only {duplicator.Sent} messages were sent.");
        Assert.DoesNotContain(harness.Root.Files(), file => file.Contains("/.staging/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Copies_of_one_start_message_run_concurrently_call_SailPoint_once()
    {
        var starts = 0;
        await using var harness = await WorkflowHarness.StartAsync(new HarnessSettings
        {
            Client = inner => new HookedRoleMiningClient(inner)
            {
                // Keep the first call busy so that the copies really overlap it.
                BeforeStart = async token =>
                {
                    Interlocked.Increment(ref starts);
                    await Task.Delay(300, token);
                },
            },
        });
        var role = harness.Emulator.CompletedRoles()[0];
        var job = (await harness.Host.Jobs.CreateAsync(new ExportJobRequest { SessionId = role.Session.Id, PotentialRoleId = role.Id })).Job;
        var start = Assert.Single(harness.Host.Queue.Snapshot());

        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() => harness.Host.Workflow.HandleAsync(start, ExportDelivery.First))));

        Assert.Equal(1, starts);
        Assert.Single(results, result => result.Outcome == ExportStepOutcome.Advanced);
        Assert.All(results.Where(result => result.Outcome != ExportStepOutcome.Advanced),
            result => Assert.Contains(result.Outcome, new[] { ExportStepOutcome.Deferred, ExportStepOutcome.Duplicate, ExportStepOutcome.FollowUpResent }));

        await harness.Host.RunUntilIdleAsync();
        await harness.AssertSucceededAndCompleteAsync(await harness.Host.GetJobAsync(job.JobId));
        Assert.Equal(1, harness.Emulator.Statistics.ExportCreationsFor(role.Session.Id, role.Id));
    }

    [Fact]
    public async Task Copies_of_one_poll_message_run_concurrently_move_the_job_once_and_leave_one_chain()
    {
        await using var harness = await WorkflowHarness.StartAsync(new HarnessSettings
        {
            Emulator = options => options.Exports.InProgressFor = TimeSpan.FromSeconds(2),
        });
        var role = harness.Emulator.CompletedRoles()[0];
        var job = (await harness.Host.Jobs.CreateAsync(new ExportJobRequest { SessionId = role.Session.Id, PotentialRoleId = role.Id })).Job;
        await harness.Host.Workflow.HandleAsync(harness.Host.Queue.Snapshot().Single(), ExportDelivery.First);
        var poll = harness.Host.Queue.Snapshot().Single(message => message.Step == ExportStep.Poll);

        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() => harness.Host.Workflow.HandleAsync(poll, ExportDelivery.First))));

        var advanced = Assert.Single(results, result => result.Outcome == ExportStepOutcome.Advanced);
        Assert.Equal(poll.Sequence + 1, advanced.Job!.Sequence);
        var next = harness.Host.Queue.Snapshot().Where(message => message.Sequence == poll.Sequence + 1).ToList();
        Assert.Single(next);

        await harness.Host.RunUntilIdleAsync();
        await harness.AssertSucceededAndCompleteAsync(await harness.Host.GetJobAsync(job.JobId));
    }

    [Fact]
    public async Task A_message_delivered_again_after_its_follow_up_was_lost_sends_the_follow_up_again()
    {
        var dropped = 0;
        await using var harness = await WorkflowHarness.StartAsync(new HarnessSettings
        {
            // The first poll message never reaches the queue: the handler fails after it moved the job on.
            Queue = inner => new FailingOnceQueue(inner, message => message.Step == ExportStep.Poll && Interlocked.Exchange(ref dropped, 1) == 0),
        });
        var role = harness.Emulator.CompletedRoles()[0];
        var job = (await harness.Host.Jobs.CreateAsync(new ExportJobRequest { SessionId = role.Session.Id, PotentialRoleId = role.Id })).Job;
        var start = harness.Host.Queue.Snapshot().Single();

        await Assert.ThrowsAsync<IOException>(() => harness.Host.Workflow.HandleAsync(start, ExportDelivery.First));
        Assert.Equal(ExportJobState.Polling, (await harness.Host.GetJobAsync(job.JobId)).State);
        Assert.DoesNotContain(harness.Host.Queue.Snapshot(), message => message.Step == ExportStep.Poll);

        var redelivered = await harness.Host.Workflow.HandleAsync(start, new ExportDelivery(2));

        Assert.Equal(ExportStepOutcome.FollowUpResent, redelivered.Outcome);
        await harness.Host.RunUntilIdleAsync();
        await harness.AssertSucceededAndCompleteAsync(await harness.Host.GetJobAsync(job.JobId));
        Assert.Equal(1, harness.Emulator.Statistics.ExportCreationsFor(role.Session.Id, role.Id));
    }

    private sealed class FailingOnceQueue(IExportQueue inner, Func<ExportMessage, bool> fail) : IExportQueue
    {
        public Task SendAsync(ExportMessage message, TimeSpan delay, CancellationToken cancellationToken = default) =>
            fail(message) ? throw new IOException("The queue could not be reached.") : inner.SendAsync(message, delay, cancellationToken);
    }
}
