using RoleMining.Emulator;
using RoleMining.Exports.Tests.Support;
using RoleMining.SailPoint;

namespace RoleMining.Exports.Tests.Workflow;

/// <summary>
/// A start that fails without a clear answer (5xx or a broken connection on <c>export-async</c>) is tried again after
/// <c>Exports:UncertainStart:RetryDelay</c>, at most <c>MaxRetries</c> times, instead of waiting for the next nightly sweep;
/// each retry may cost an orphaned export in SailPoint when the failed call had in fact been accepted.
/// </summary>
public sealed class UncertainStartTests
{
    [Fact]
    public async Task A_start_answered_with_a_server_error_is_queued_again_after_the_delay_and_then_exported_once()
    {
        var retryDelay = TimeSpan.FromSeconds(2);
        await using var harness = await WorkflowHarness.StartAsync(new HarnessSettings
        {
            Workflow = options =>
            {
                options.UncertainStart.RetryDelay = retryDelay;
                options.UncertainStart.JitterRatio = 0.2;
            },
        });
        var role = harness.Emulator.CompletedRoles()[0];
        harness.Emulator.Faults.Routes[OperationIds.ExportRoleMiningPotentialRoleAsync] = new EmulatorRouteFaultOptions { ServerErrorShare = 1 };
        var job = (await harness.Host.Jobs.CreateAsync(new ExportJobRequest { SessionId = role.Session.Id, PotentialRoleId = role.Id })).Job;
        var start = Assert.Single(harness.Host.Queue.Snapshot());

        var first = await harness.Host.Workflow.HandleAsync(start, ExportDelivery.First);

        Assert.Equal(ExportStepOutcome.Rescheduled, first.Outcome);
        var waiting = await harness.Host.GetJobAsync(job.JobId);
        Assert.Equal(ExportJobState.Queued, waiting.State);
        Assert.Equal(1, waiting.UncertainStarts);
        Assert.Null(waiting.Lease);
        Assert.Equal(start.Sequence + 1, waiting.Sequence);
        var sailPointError = Assert.IsType<ExportSailPointError>(waiting.LastSailPointError);
        Assert.Contains(sailPointError.Status, new int?[] { 500, 502, 503 });
        Assert.False(string.IsNullOrEmpty(sailPointError.TrackingId));
        var retry = Assert.Single(first.Messages);
        Assert.Equal((ExportStep.Start, waiting.Sequence), (retry.Message.Step, retry.Message.Sequence));
        Assert.InRange(retry.Delay, retryDelay * 0.8, retryDelay * 1.2);
        Assert.Equal(0, harness.Emulator.Statistics.ExportCreationsFor(role.Session.Id, role.Id));

        // The service recovers; the retry comes by itself and the export is made once.
        harness.Emulator.ClearFaults();
        await harness.Host.RunUntilIdleAsync();

        var done = await harness.Host.GetJobAsync(job.JobId);
        await harness.AssertSucceededAndCompleteAsync(done);
        Assert.Equal(1, done.UncertainStarts);
        Assert.Equal(1, harness.Emulator.Statistics.ExportCreationsFor(role.Session.Id, role.Id));
        Assert.Equal(2, harness.Emulator.Statistics.RequestsFor(OperationIds.ExportRoleMiningPotentialRoleAsync));
    }

    [Fact]
    public async Task Uncertain_starts_are_tried_again_at_most_MaxRetries_times_then_the_job_fails_as_StartUncertain_with_the_SailPoint_error()
    {
        await using var harness = await WorkflowHarness.StartAsync(new HarnessSettings
        {
            // Each call creates the export, then its answer is lost: the worst case, where every retry costs an export.
            Emulator = options => options.Faults.Routes[OperationIds.ExportRoleMiningPotentialRoleAsync] = new EmulatorRouteFaultOptions
            {
                ServerErrorShare = 1,
                FailAfterHandling = true,
            },
            Workflow = options => options.UncertainStart.MaxRetries = 2,
        });
        var role = harness.Emulator.CompletedRoles()[0];

        var job = (await harness.Host.Jobs.CreateAsync(new ExportJobRequest { SessionId = role.Session.Id, PotentialRoleId = role.Id })).Job;
        await harness.Host.RunUntilIdleAsync();

        var failed = await harness.Host.GetJobAsync(job.JobId);
        harness.AssertNothingStored(failed);
        Assert.Equal(ExportFailureKind.StartUncertain, failed.Failure!.Kind);
        Assert.Contains("tried 3 times", failed.Failure.Reason, StringComparison.Ordinal);
        Assert.Equal(2, failed.UncertainStarts);
        var sailPointError = Assert.IsType<ExportSailPointError>(failed.Failure.SailPointError);
        Assert.Equal(OperationIds.ExportRoleMiningPotentialRoleAsync, sailPointError.OperationId);
        Assert.Equal(SailPointErrorKind.Service, sailPointError.Kind);
        Assert.Contains(sailPointError.Status, new int?[] { 500, 502, 503 });
        Assert.Contains(sailPointError.TrackingId!, failed.Failure.Reason, StringComparison.Ordinal);
        Assert.Equal(3, harness.Emulator.Statistics.RequestsFor(OperationIds.ExportRoleMiningPotentialRoleAsync));
        // The documented price of retrying: SailPoint did take each call, so two exports are orphaned there.
        Assert.Equal(3, harness.Emulator.Statistics.ExportCreationsFor(role.Session.Id, role.Id));
    }

    [Fact]
    public async Task A_start_that_never_reached_SailPoint_is_not_an_uncertain_start()
    {
        // The token endpoint or the tenant could not be reached: the POST never left, so sending it again cannot make a
        // second export, and the job must not spend its few uncertain-start retries (or fail as StartUncertain) on it.
        var failures = 1;
        await using var harness = await WorkflowHarness.StartAsync(new HarnessSettings
        {
            Client = inner => new HookedRoleMiningClient(inner)
            {
                BeforeStart = _ => Interlocked.Decrement(ref failures) >= 0
                    ? throw new SailPointException(new SailPointErrorDetails
                    {
                        OperationId = OperationIds.ExportRoleMiningPotentialRoleAsync,
                        Kind = SailPointErrorKind.Transport,
                        Reason = "the token endpoint could not be reached",
                        NotProcessed = true,
                    })
                    : Task.CompletedTask,
            },
            Workflow = options => options.UncertainStart.MaxRetries = 0,
        });
        var role = harness.Emulator.CompletedRoles()[0];

        var job = (await harness.Host.Jobs.CreateAsync(new ExportJobRequest { SessionId = role.Session.Id, PotentialRoleId = role.Id })).Job;
        await harness.Host.RunUntilIdleAsync();

        var done = await harness.Host.GetJobAsync(job.JobId);
        await harness.AssertSucceededAndCompleteAsync(done);
        Assert.Equal(0, done.UncertainStarts);
        Assert.Equal(1, harness.Emulator.Statistics.ExportCreationsFor(role.Session.Id, role.Id));
    }
}
