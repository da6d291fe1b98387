using Microsoft.Extensions.Logging.Testing;
using RoleMining.Emulator;
using RoleMining.Exports.Tests.Support;

namespace RoleMining.Exports.Tests.Workflow;

/// <summary>The chain start -> poll -> download against the real client and the emulator.</summary>
public sealed class ExportWorkflowTests
{
    [Fact]
    public async Task A_job_runs_to_success_with_the_zip_byte_identical_to_what_the_emulator_serves()
    {
        await using var harness = await WorkflowHarness.StartAsync();
        var role = harness.Emulator.CompletedRoles()[0];
        var options = new ExportRequestOptions { MinEntitlementPopularity = 30, IncludeCommonAccess = false };

        var creation = await harness.Host.Jobs.CreateAsync(new ExportJobRequest { SessionId = role.Session.Id, PotentialRoleId = role.Id, Options = options });
        await harness.Host.RunUntilIdleAsync();

        var job = await harness.Host.GetJobAsync(creation.Job.JobId);
        var stored = await harness.AssertSucceededAndCompleteAsync(job);
        Assert.Equal(stored, await harness.DirectDownloadAsync(role.Session.Id, role.Id, job.ExportId!));
        Assert.Equal(1, harness.Emulator.Statistics.ExportCreationsFor(role.Session.Id, role.Id));
        Assert.Equal("SUCCESS", job.ExportStatus);
        Assert.True(job.PollCount >= 1);
        Assert.NotNull(job.StartedAt);
        Assert.True(job.CompletedAt >= job.StartedAt);
    }

    [Fact]
    public async Task An_export_that_ends_in_ERROR_fails_the_job_with_that_reason_and_stores_nothing()
    {
        await using var harness = await WorkflowHarness.StartAsync(new HarnessSettings
        {
            Emulator = options => options.Faults.Default.ExportErrorShare = 1,
        });
        var role = harness.Emulator.CompletedRoles()[0];

        var creation = await harness.Host.Jobs.CreateAsync(new ExportJobRequest { SessionId = role.Session.Id, PotentialRoleId = role.Id });
        await harness.Host.RunUntilIdleAsync();

        var job = await harness.Host.GetJobAsync(creation.Job.JobId);
        harness.AssertNothingStored(job);
        Assert.Equal(ExportFailureKind.ExportError, job.Failure!.Kind);
        Assert.Equal(ExportStep.Poll, job.Failure.Step);
        Assert.Contains(job.ExportId!, job.Failure.Reason, StringComparison.Ordinal);
        Assert.Contains("ERROR", job.Failure.Reason, StringComparison.Ordinal);
        Assert.Equal(0, harness.Emulator.Statistics.RequestsFor(OperationIds.DownloadRoleMiningPotentialRoleZip));
    }

    [Fact]
    public async Task An_export_that_never_finishes_fails_once_the_total_wait_is_over()
    {
        var totalWait = TimeSpan.FromSeconds(1.5);
        await using var harness = await WorkflowHarness.StartAsync(new HarnessSettings
        {
            Emulator = options => options.Exports.InProgressFor = TimeSpan.FromHours(1),
            Workflow = options =>
            {
                options.Polling.MaxDelay = TimeSpan.FromMilliseconds(400);
                options.Polling.TotalWait = totalWait;
            },
        });
        var role = harness.Emulator.CompletedRoles()[0];

        var creation = await harness.Host.Jobs.CreateAsync(new ExportJobRequest { SessionId = role.Session.Id, PotentialRoleId = role.Id });
        await harness.Host.RunUntilIdleAsync();

        var job = await harness.Host.GetJobAsync(creation.Job.JobId);
        harness.AssertNothingStored(job);
        Assert.Equal(ExportFailureKind.PollTimeout, job.Failure!.Kind);
        Assert.Contains("IN_PROGRESS", job.Failure.Reason, StringComparison.Ordinal);

        // The wait is the one the options define: not cut short, and not overshot by more than one poll and a slow machine.
        var waited = job.CompletedAt!.Value - job.PollingSince!.Value;
        Assert.InRange(waited, totalWait, totalWait + TimeSpan.FromSeconds(10));
        Assert.True(job.PollCount >= 3, $"Only {job.PollCount} polls in {waited}.");
    }

    [Fact]
    public async Task A_potential_role_SailPoint_does_not_know_fails_the_job_as_rejected_without_retrying()
    {
        await using var harness = await WorkflowHarness.StartAsync();
        var session = harness.Emulator.CompletedRoles()[0].Session;

        var creation = await harness.Host.Jobs.CreateAsync(new ExportJobRequest { SessionId = session.Id, PotentialRoleId = "00000000000000000000000000000000" });
        await harness.Host.RunUntilIdleAsync();

        var job = await harness.Host.GetJobAsync(creation.Job.JobId);
        harness.AssertNothingStored(job);
        Assert.Equal(ExportFailureKind.StartRejected, job.Failure!.Kind);
        Assert.Contains("404", job.Failure.Reason, StringComparison.Ordinal);
        Assert.Equal(1, harness.Emulator.Statistics.RequestsFor(OperationIds.ExportRoleMiningPotentialRoleAsync));
    }

    [Fact]
    public async Task Without_uncertain_start_retries_a_start_whose_answer_is_lost_is_not_sent_again_so_SailPoint_runs_one_export()
    {
        await using var harness = await WorkflowHarness.StartAsync(new HarnessSettings
        {
            // The export is created, then the connection is reset: the caller cannot know it was created.
            Emulator = options => options.Faults.Routes[OperationIds.ExportRoleMiningPotentialRoleAsync] = new EmulatorRouteFaultOptions
            {
                ConnectionResetShare = 1,
                FailAfterHandling = true,
            },
            Workflow = options => options.UncertainStart.MaxRetries = 0,
        });
        var role = harness.Emulator.CompletedRoles()[0];

        var creation = await harness.Host.Jobs.CreateAsync(new ExportJobRequest { SessionId = role.Session.Id, PotentialRoleId = role.Id });
        await harness.Host.RunUntilIdleAsync();

        var job = await harness.Host.GetJobAsync(creation.Job.JobId);
        harness.AssertNothingStored(job);
        Assert.Equal(ExportFailureKind.StartUncertain, job.Failure!.Kind);
        Assert.Contains("may or may not have started", job.Failure.Reason, StringComparison.Ordinal);
        Assert.Contains("not tried again", job.Failure.Reason, StringComparison.Ordinal);
        Assert.Equal(0, job.UncertainStarts);
        Assert.Equal(1, harness.Emulator.Statistics.ExportCreationsFor(role.Session.Id, role.Id));
        Assert.Equal(1, harness.Emulator.Statistics.RequestsFor(OperationIds.ExportRoleMiningPotentialRoleAsync));
    }

    [Fact]
    public async Task A_start_refused_with_429_is_retried_and_the_job_succeeds_with_one_export()
    {
        await using var harness = await WorkflowHarness.StartAsync(new HarnessSettings
        {
            Emulator = options => options.Faults.Routes[OperationIds.ExportRoleMiningPotentialRoleAsync] = new EmulatorRouteFaultOptions
            {
                TooManyRequestsShare = 1,
                TooManyRequestsRetryAfter = TimeSpan.FromSeconds(1),
            },
            // The client gives up at once; the workflow's own retry has to carry the job.
            SailPoint = options => options.Retry.MaxRetryAttempts = 0,
        });
        var role = harness.Emulator.CompletedRoles()[0];
        var creation = await harness.Host.Jobs.CreateAsync(new ExportJobRequest { SessionId = role.Session.Id, PotentialRoleId = role.Id });

        // Let two attempts meet the 429, then lift it.
        var run = harness.Host.RunUntilIdleAsync();
        while (harness.Emulator.Statistics.RequestsFor(OperationIds.ExportRoleMiningPotentialRoleAsync) < 2)
        {
            await Task.Delay(20);
        }

        harness.Emulator.ClearFaults();
        await run;

        var job = await harness.Host.GetJobAsync(creation.Job.JobId);
        await harness.AssertSucceededAndCompleteAsync(job);
        Assert.Equal(1, harness.Emulator.Statistics.ExportCreationsFor(role.Session.Id, role.Id));
        Assert.True(harness.Emulator.Statistics.RequestsFor(OperationIds.ExportRoleMiningPotentialRoleAsync) >= 3);
    }

    [Fact]
    public async Task Logs_of_a_whole_run_never_contain_the_client_secret()
    {
        var logs = new FakeLogCollector();
        await using var harness = await WorkflowHarness.StartAsync(new HarnessSettings { Logs = new FakeLoggerProvider(logs) });
        var role = harness.Emulator.CompletedRoles()[0];

        var creation = await harness.Host.Jobs.CreateAsync(new ExportJobRequest { SessionId = role.Session.Id, PotentialRoleId = role.Id });
        await harness.Host.RunUntilIdleAsync();

        var job = await harness.Host.GetJobAsync(creation.Job.JobId);
        Assert.Equal(ExportJobState.Succeeded, job.State);
        var text = logs.AllText();
        Assert.Contains(job.JobId, text, StringComparison.Ordinal);
        Assert.Contains(job.ExportId!, text, StringComparison.Ordinal);
        Assert.DoesNotContain(harness.Emulator.Options.ClientSecret, text, StringComparison.Ordinal);
        foreach (var file in harness.Root.Files())
        {
            Assert.DoesNotContain(harness.Emulator.Options.ClientSecret, await File.ReadAllTextAsync(harness.Root.Combine(file.Split('/'))), StringComparison.Ordinal);
        }
    }
}
