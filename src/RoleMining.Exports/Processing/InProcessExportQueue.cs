using System.Diagnostics.CodeAnalysis;

namespace RoleMining.Exports;

/// <summary>
/// An <see cref="IExportQueue"/> in memory, for the command line and tests: messages wait until their delay (measured on
/// the <see cref="TimeProvider"/>) has passed, then <see cref="InProcessExportRunner"/> takes them. What it holds is lost
/// with the process; <see cref="ExportJobService.ResumeAsync"/> re-sends it from the job store.
/// </summary>
[SuppressMessage("Naming", "CA1711:Identifiers should not have incorrect suffix", Justification = "It is a message queue, the in-memory IExportQueue.")]
public sealed class InProcessExportQueue : IExportQueue
{
    private readonly Lock _lock = new();
    private readonly PriorityQueue<QueuedExportMessage, (DateTimeOffset Due, long Order)> _pending = new();
    private readonly TimeProvider _timeProvider;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _order;

    /// <summary>Creates an empty queue.</summary>
    public InProcessExportQueue(TimeProvider? timeProvider = null) => _timeProvider = timeProvider ?? TimeProvider.System;

    /// <summary>Messages waiting (due or not).</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _pending.Count;
            }
        }
    }

    /// <inheritdoc />
    public Task SendAsync(ExportMessage message, TimeSpan delay, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        cancellationToken.ThrowIfCancellationRequested();
        Enqueue(new QueuedExportMessage(message, 1), delay);
        return Task.CompletedTask;
    }

    /// <summary>Every waiting message, in due order (for a status display or a test).</summary>
    public IReadOnlyList<ExportMessage> Snapshot()
    {
        lock (_lock)
        {
            return _pending.UnorderedItems.OrderBy(item => item.Priority).Select(item => item.Element.Message).ToList();
        }
    }

    internal Task Changed
    {
        get
        {
            lock (_lock)
            {
                return _changed.Task;
            }
        }
    }

    internal void Enqueue(QueuedExportMessage item, TimeSpan delay)
    {
        var due = _timeProvider.GetUtcNow() + (delay > TimeSpan.Zero ? delay : TimeSpan.Zero);
        lock (_lock)
        {
            _pending.Enqueue(item, (due, _order++));
        }

        Signal();
    }

    /// <summary>Takes the earliest message if it is due; otherwise says how long until it is (null: the queue is empty).</summary>
    internal bool TryTakeDue(out QueuedExportMessage? item, out TimeSpan? wait)
    {
        var now = _timeProvider.GetUtcNow();
        lock (_lock)
        {
            if (_pending.TryPeek(out var next, out var priority))
            {
                if (priority.Due <= now)
                {
                    _pending.Dequeue();
                    item = next;
                    wait = null;
                    return true;
                }

                item = null;
                wait = priority.Due - now;
                return false;
            }
        }

        item = null;
        wait = null;
        return false;
    }

    /// <summary>Wakes the runner (a message arrived or a step ended).</summary>
    internal void Signal()
    {
        TaskCompletionSource changed;
        lock (_lock)
        {
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }
}

/// <summary>A message in the in-process queue, with its delivery count (1, then one more per failed attempt).</summary>
/// <param name="Message">The message.</param>
/// <param name="DeliveryCount">Which delivery this will be.</param>
internal sealed record QueuedExportMessage(ExportMessage Message, long DeliveryCount);
