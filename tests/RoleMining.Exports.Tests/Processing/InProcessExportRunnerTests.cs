using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RoleMining.Exports.Storage.FileSystem;
using RoleMining.Exports.Tests.Support;

namespace RoleMining.Exports.Tests.Processing;

/// <summary>The in-process driver with stand-in steps: delays, concurrency, retries and poison.</summary>
public sealed class InProcessExportRunnerTests : IDisposable
{
    private readonly TemporaryDirectory _root = new();

    [Fact]
    public async Task A_message_is_not_run_before_its_delay_and_earlier_due_messages_run_first()
    {
        var order = new ConcurrentQueue<(string JobId, long At)>();
        var driver = Driver(handle: (message, _) =>
        {
            order.Enqueue((message.JobId, Stopwatch.GetTimestamp()));
            return Task.FromResult(Result());
        }, concurrency: 1);
        var sent = Stopwatch.GetTimestamp();

        await driver.Queue.SendAsync(Message("late"), TimeSpan.FromMilliseconds(400));
        await driver.Queue.SendAsync(Message("early"), TimeSpan.Zero);
        await driver.Runner.RunUntilIdleAsync(Timeout());

        Assert.Equal(["early", "late"], order.Select(entry => entry.JobId));
        var waited = Stopwatch.GetElapsedTime(sent, order.Last().At);
        Assert.InRange(waited, TimeSpan.FromMilliseconds(385), TimeSpan.FromSeconds(15));
    }

    [Fact]
    public async Task No_more_steps_run_at_once_than_allowed_and_they_do_run_side_by_side()
    {
        var running = 0;
        var peak = 0;
        var driver = Driver(handle: async (_, _) =>
        {
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref peak, now);
            await Task.Delay(60);
            Interlocked.Decrement(ref running);
            return Result();
        }, concurrency: 3);

        for (var index = 0; index < 20; index++)
        {
            await driver.Queue.SendAsync(Message("job" + index), TimeSpan.Zero);
        }

        await driver.Runner.RunUntilIdleAsync(Timeout());

        Assert.InRange(peak, 2, 3);
        Assert.Equal(20, driver.Calls.Count);
    }

    [Fact]
    public async Task Follow_up_messages_are_run_until_the_chain_ends()
    {
        var driver = Driver(handle: (message, _) => Task.FromResult(message.Sequence < 4
            ? Result(new ScheduledExportMessage(message with { Sequence = message.Sequence + 1, MessageId = Guid.NewGuid().ToString("N") }, TimeSpan.FromMilliseconds(20)))
            : Result()));

        await driver.Queue.SendAsync(Message("chain"), TimeSpan.Zero);
        await driver.Runner.RunUntilIdleAsync(Timeout());

        Assert.Equal([1, 2, 3, 4], driver.Calls.Select(call => call.Message.Sequence));
        Assert.Equal(0, driver.Queue.Count);
    }

    [Fact]
    public async Task A_throwing_step_is_retried_with_growing_delivery_counts_then_its_job_fails_as_poison()
    {
        var driver = Driver(handle: (_, _) => throw new InvalidOperationException("boom from the step"), maxAttempts: 3);
        var job = new ExportJob
        {
            JobId = ExportJobIds.NewJobId(),
            SessionId = "s",
            PotentialRoleId = "r",
            CreatedAt = DateTimeOffset.UtcNow,
            UpdatedAt = DateTimeOffset.UtcNow,
        };
        await driver.Store.TryCreateAsync(job);

        await driver.Queue.SendAsync(Message(job.JobId), TimeSpan.Zero);
        await driver.Runner.RunUntilIdleAsync(Timeout());

        Assert.Equal([1L, 2L, 3L], driver.Calls.Select(call => call.Delivery.DequeueCount));
        var failed = (await driver.Store.GetAsync(job.JobId))!.Job;
        Assert.Equal(ExportJobState.Failed, failed.State);
        Assert.Equal(ExportFailureKind.RepeatedFailure, failed.Failure!.Kind);
        Assert.Contains("boom from the step", failed.Failure.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancelling_stops_the_runner_promptly_even_while_messages_wait()
    {
        var driver = Driver(handle: (_, _) => Task.FromResult(Result()));
        await driver.Queue.SendAsync(Message("far"), TimeSpan.FromHours(1));
        using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var watch = Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => driver.Runner.RunAsync(stop.Token));

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10));
        Assert.Empty(driver.Calls);
        Assert.Equal(1, driver.Queue.Count);
    }

    public void Dispose() => _root.Dispose();

    private static CancellationToken Timeout() => new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token;

    private static ExportMessage Message(string jobId) => ExportMessage.Create(ExportStep.Start, jobId, 1, DateTimeOffset.UtcNow);

    private static ExportStepResult Result(params ScheduledExportMessage[] next) => new() { Outcome = ExportStepOutcome.Advanced, Messages = next };

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }

    private TestDriver Driver(Func<ExportMessage, ExportDelivery, Task<ExportStepResult>> handle, int concurrency = 4, int maxAttempts = 5)
    {
        var options = Options.Create(new ExportWorkflowOptions
        {
            MaxConcurrency = concurrency,
            MaxAttempts = maxAttempts,
            RetryBaseDelay = TimeSpan.FromMilliseconds(20),
            RetryMaxDelay = TimeSpan.FromMilliseconds(100),
        });
        var calls = new ConcurrentQueue<(ExportMessage Message, ExportDelivery Delivery)>();
        var steps = Enum.GetValues<ExportStep>().Select(step => new StandInStep(step, (message, delivery) =>
        {
            calls.Enqueue((message, delivery));
            return handle(message, delivery);
        }));
        var queue = new InProcessExportQueue();
        var store = new FileSystemExportJobStore(_root.Path);
        var workflow = new ExportWorkflow(steps, queue, store, options, TimeProvider.System, NullLogger<ExportWorkflow>.Instance);
        return new TestDriver(queue, new InProcessExportRunner(queue, workflow, options, TimeProvider.System, NullLogger<InProcessExportRunner>.Instance), store, calls);
    }

    private sealed record TestDriver(InProcessExportQueue Queue, InProcessExportRunner Runner, FileSystemExportJobStore Store, ConcurrentQueue<(ExportMessage Message, ExportDelivery Delivery)> Calls);

    private sealed class StandInStep(ExportStep step, Func<ExportMessage, ExportDelivery, Task<ExportStepResult>> handle) : IExportStep
    {
        public ExportStep HandledStep => step;

        public Task<ExportStepResult> ExecuteAsync(ExportMessage message, ExportDelivery delivery, CancellationToken cancellationToken = default) => handle(message, delivery);
    }
}
