using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using RoleMining.Exports.Tests.Support;

namespace RoleMining.Exports.Tests.Workflow;

/// <summary>
/// "Job ... failed" (event 108, a warning the workbook's failed-jobs panel and the runbook start from) is written once the
/// failure is stored, never for a job whose failure a lost lease kept from being written.
/// </summary>
public sealed class FailureLogTests
{
    private const int JobFailedEvent = 108;
    private const string MissingRole = "00000000000000000000000000000000";

    [Fact]
    public async Task A_stored_failure_is_logged_once_as_a_warning_naming_the_job()
    {
        var logs = new FakeLogCollector();
        await using var harness = await WorkflowHarness.StartAsync(new HarnessSettings { Logs = new FakeLoggerProvider(logs) });
        var session = harness.Emulator.CompletedRoles()[0].Session;
        var creation = await harness.Host.Jobs.CreateAsync(new ExportJobRequest { SessionId = session.Id, PotentialRoleId = MissingRole });

        var result = await harness.Host.Workflow.HandleAsync(ExportMessage.Create(ExportStep.Start, creation.Job.JobId, 1, DateTimeOffset.UtcNow), ExportDelivery.First);

        Assert.Equal(ExportStepOutcome.Failed, result.Outcome);
        Assert.Equal(ExportJobState.Failed, (await harness.Host.GetJobAsync(creation.Job.JobId)).State);
        var failed = Assert.Single(logs.GetSnapshot(), record => record.Id.Id == JobFailedEvent);
        Assert.Equal(LogLevel.Warning, failed.Level);
        Assert.Contains(creation.Job.JobId, failed.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(ExportFailureKind.StartRejected), failed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failure_that_a_lost_lease_kept_from_being_written_is_not_logged_as_a_failed_job()
    {
        var logs = new FakeLogCollector();
        HookedRoleMiningClient? client = null;
        await using var harness = await WorkflowHarness.StartAsync(new HarnessSettings
        {
            Logs = new FakeLoggerProvider(logs),
            Workflow = options => options.LeaseDuration = TimeSpan.FromSeconds(60),
            Client = inner => client = new HookedRoleMiningClient(inner),
        });
        var session = harness.Emulator.CompletedRoles()[0].Session;
        var creation = await harness.Host.Jobs.CreateAsync(new ExportJobRequest { SessionId = session.Id, PotentialRoleId = MissingRole });
        _ = harness.Host.Workflow; // builds the client, and with it the hook
        var taken = false;
        client!.BeforeStart = async _ =>
        {
            // Another execution takes the job while this one asks SailPoint, which refuses: the failure is not this run's to write.
            if (taken)
            {
                return;
            }

            taken = true;
            var stored = (await harness.Host.JobStore.GetAsync(creation.Job.JobId, CancellationToken.None))!;
            var other = stored.Job with { Lease = new ExportJobLease { LeaseId = "another-execution", ExpiresAt = DateTimeOffset.UtcNow.AddMinutes(1) } };
            Assert.NotNull(await harness.Host.JobStore.TryReplaceAsync(other, stored.ETag, CancellationToken.None));
        };

        var result = await harness.Host.Workflow.HandleAsync(ExportMessage.Create(ExportStep.Start, creation.Job.JobId, 1, DateTimeOffset.UtcNow), ExportDelivery.First);

        Assert.Equal(ExportStepOutcome.LeaseLost, result.Outcome);
        Assert.NotEqual(ExportJobState.Failed, (await harness.Host.GetJobAsync(creation.Job.JobId)).State);
        Assert.DoesNotContain(logs.GetSnapshot(), record => record.Id.Id == JobFailedEvent);
    }
}
