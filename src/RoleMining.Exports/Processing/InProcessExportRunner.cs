using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RoleMining.Exports.Diagnostics;

namespace RoleMining.Exports;

/// <summary>
/// Drives the workflow in process (the command line, tests): takes due messages from <see cref="InProcessExportQueue"/>,
/// runs up to <see cref="ExportWorkflowOptions.MaxConcurrency"/> steps at once through <see cref="ExportWorkflow"/>,
/// retries a throwing step with exponential backoff up to <see cref="ExportWorkflowOptions.MaxAttempts"/> deliveries,
/// then hands it to <see cref="ExportWorkflow.HandlePoisonMessageAsync"/> - what the Functions host and its poison
/// queue do in Azure.
/// </summary>
public sealed class InProcessExportRunner
{
    private readonly InProcessExportQueue _queue;
    private readonly ExportWorkflow _workflow;
    private readonly ExportWorkflowOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<InProcessExportRunner> _logger;

    /// <summary>Creates the runner.</summary>
    public InProcessExportRunner(InProcessExportQueue queue, ExportWorkflow workflow, IOptions<ExportWorkflowOptions> options, TimeProvider timeProvider, ILogger<InProcessExportRunner> logger)
    {
        ArgumentNullException.ThrowIfNull(queue);
        ArgumentNullException.ThrowIfNull(workflow);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        _queue = queue;
        _workflow = workflow;
        _options = options.Value;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>Runs steps until <paramref name="cancellationToken"/> is cancelled (then throws <see cref="OperationCanceledException"/>).</summary>
    public Task RunAsync(CancellationToken cancellationToken) => RunCoreAsync(stopWhenIdle: false, cancellationToken);

    /// <summary>
    /// Runs steps until no message is waiting and none is running: every chain has ended. Cancelling stops at once, as a
    /// crash would (running steps see the token; what was queued is lost with the memory).
    /// </summary>
    public Task RunUntilIdleAsync(CancellationToken cancellationToken) => RunCoreAsync(stopWhenIdle: true, cancellationToken);

    private async Task RunCoreAsync(bool stopWhenIdle, CancellationToken cancellationToken)
    {
        using var slots = new SemaphoreSlim(_options.MaxConcurrency, _options.MaxConcurrency);
        var running = new ConcurrentDictionary<Task, bool>();
        var inFlight = 0;
        try
        {
            while (true)
            {
                await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
                QueuedExportMessage? item;
                try
                {
                    while (true)
                    {
                        var changed = _queue.Changed;
                        if (_queue.TryTakeDue(out item, out var wait))
                        {
                            break;
                        }

                        if (stopWhenIdle && Volatile.Read(ref inFlight) == 0 && _queue.Count == 0)
                        {
                            slots.Release();
                            return;
                        }

                        await WaitForChangeAsync(changed, wait, cancellationToken).ConfigureAwait(false);
                    }
                }
                catch
                {
                    slots.Release();
                    throw;
                }

                Interlocked.Increment(ref inFlight);
                var task = Task.Run(async () =>
                {
                    try
                    {
                        await ProcessAsync(item!, cancellationToken).ConfigureAwait(false);
                    }
                    finally
                    {
                        Interlocked.Decrement(ref inFlight);
                        slots.Release();
                        _queue.Signal();
                    }
                }, CancellationToken.None);
                running.TryAdd(task, true);
                _ = task.ContinueWith(finished => running.TryRemove(finished, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }
        finally
        {
            // Steps see the same token; wait for them so that nothing runs after this method returned.
            await Task.WhenAll(running.Keys).ConfigureAwait(false);
        }
    }

    private async Task ProcessAsync(QueuedExportMessage item, CancellationToken cancellationToken)
    {
        var message = item.Message;
        try
        {
            await _workflow.HandleAsync(message, new ExportDelivery(item.DeliveryCount), cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping: the message goes with the process's memory; ExportJobService.ResumeAsync sends it again.
        }
        catch (Exception exception)
        {
            if (item.DeliveryCount >= _options.MaxAttempts)
            {
                try
                {
                    await _workflow.HandlePoisonMessageAsync(message, ExportStepBase.Describe(exception), cancellationToken).ConfigureAwait(false);
                }
                catch (Exception poisonException) when (poisonException is not OperationCanceledException)
                {
                    Log.StepAttemptFailed(_logger, message.Step, message.JobId, (int)item.DeliveryCount, ExportStepBase.Describe(poisonException), poisonException);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                }

                return;
            }

            var delay = PollBackoff.Delay((int)item.DeliveryCount - 1, _options.RetryBaseDelay, _options.RetryMaxDelay, 0.2);
            Log.RetryScheduled(_logger, message.Step, message.JobId, item.DeliveryCount + 1, _options.MaxAttempts, delay.TotalMilliseconds);
            _queue.Enqueue(item with { DeliveryCount = item.DeliveryCount + 1 }, delay);
        }
    }

    private async Task WaitForChangeAsync(Task changed, TimeSpan? wait, CancellationToken cancellationToken)
    {
        if (wait is not { } due)
        {
            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        using var stopDelay = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var delay = Task.Delay(due, _timeProvider, stopDelay.Token);
        await Task.WhenAny(changed, delay).ConfigureAwait(false);
        await stopDelay.CancelAsync().ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
    }
}
