using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RoleMining.Exports.Tests.Support;

namespace RoleMining.Exports.Tests.Workflow;

/// <summary>
/// The receiver took the callback, then the write that records it fails (the job store unavailable for a moment): the
/// write is tried again, so the callback is recorded as delivered and not called a second time.
/// </summary>
public sealed class CallbackRecordFailureTests
{
    [Fact]
    public async Task A_store_error_on_the_write_after_a_delivered_callback_is_retried_and_the_receiver_is_called_once()
    {
        await using var harness = await WorkflowHarness.StartAsync();
        var job = await SucceededWithPendingCallbackAsync(harness);
        // The writes that record the callback as delivered.
        var store = new FailingJobWrites(harness.Host.JobStore, written => written.Callback is { State: ExportCallbackState.Delivered }, failures: 2);
        var receiver = new CountingReceiver();
        var step = Step(harness, store, receiver);

        var result = await step.ExecuteAsync(ExportMessage.Create(ExportStep.Callback, job.JobId, job.Sequence, DateTimeOffset.UtcNow), ExportDelivery.First);
        var again = await step.ExecuteAsync(ExportMessage.Create(ExportStep.Callback, job.JobId, job.Sequence, DateTimeOffset.UtcNow), new ExportDelivery(2));

        Assert.Equal(ExportStepOutcome.CallbackDelivered, result.Outcome);
        Assert.Equal(2, store.Failed);
        Assert.Equal(ExportCallbackState.Delivered, (await harness.Host.GetJobAsync(job.JobId)).Callback!.State);
        Assert.Equal(ExportStepOutcome.Duplicate, again.Outcome);
        Assert.Equal(1, receiver.Calls);
    }

    [Fact]
    public async Task A_call_that_outlived_its_lease_leaves_the_claim_of_the_copy_that_took_over_alone()
    {
        await using var harness = await WorkflowHarness.StartAsync();
        var job = await SucceededWithPendingCallbackAsync(harness);
        var otherLease = new ExportJobLease { LeaseId = "other-copy", ExpiresAt = DateTimeOffset.UtcNow + TimeSpan.FromMinutes(1) };
        // While this copy's receiver answers, its lease runs out and another copy claims the callback.
        var receiver = new CountingReceiver
        {
            DuringCall = async () =>
            {
                var current = (await harness.Host.JobStore.GetAsync(job.JobId))!;
                Assert.NotNull(await harness.Host.JobStore.TryReplaceAsync(current.Job with { Lease = otherLease, Callback = current.Job.Callback! with { Attempts = 2 } }, current.ETag));
            },
        };
        var step = Step(harness, harness.Host.JobStore, receiver);

        var result = await step.ExecuteAsync(ExportMessage.Create(ExportStep.Callback, job.JobId, job.Sequence, DateTimeOffset.UtcNow), ExportDelivery.First);

        Assert.Equal(ExportStepOutcome.Duplicate, result.Outcome);
        var after = await harness.Host.GetJobAsync(job.JobId);
        Assert.Equal("other-copy", after.Lease?.LeaseId);
        Assert.Equal(ExportCallbackState.Pending, after.Callback!.State);
        Assert.Equal(2, after.Callback.Attempts);
    }

    /// <summary>Exports one role, then gives the succeeded job a pending callback, as if it had been started with one.</summary>
    private static async Task<ExportJob> SucceededWithPendingCallbackAsync(WorkflowHarness harness)
    {
        var role = harness.Emulator.CompletedRoles()[0];
        var job = (await harness.Host.Jobs.CreateAsync(new ExportJobRequest { SessionId = role.Session.Id, PotentialRoleId = role.Id })).Job;
        await harness.Host.RunUntilIdleAsync();
        var stored = (await harness.Host.JobStore.GetAsync(job.JobId))!;
        var pending = stored.Job with { Callback = new ExportCallback { Name = "SailPointWorkflow" } };
        Assert.NotNull(await harness.Host.JobStore.TryReplaceAsync(pending, stored.ETag));
        return pending;
    }

    private static CallbackExportStep Step(WorkflowHarness harness, IExportJobStore store, IExportCallbackSender receiver) =>
        new(store, receiver, harness.Host.Services.GetRequiredService<IOptions<ExportWorkflowOptions>>(), TimeProvider.System, NullLogger<CallbackExportStep>.Instance);

    private sealed class CountingReceiver : IExportCallbackSender
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public bool IsConfigured(string name) => true;

        public Func<Task>? DuringCall { get; init; }

        public async Task<ExportCallbackDelivery> SendAsync(ExportJob job, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _calls);
            if (DuringCall is { } during)
            {
                await during();
            }

            return ExportCallbackDelivery.Success;
        }
    }
}
