using Microsoft.Extensions.Logging;
using RoleMining.SailPoint.Diagnostics;
using RoleMining.SailPoint.Resilience;

namespace RoleMining.SailPoint.RateLimiting;

/// <summary>
/// The waiting side of both limiters: callers queue first in, first out per permit group (an operation with a limit
/// of its own is a group; all others share the default group), and a timer on the injected <see cref="TimeProvider"/>
/// grants permits when the next one may be free. A permit is always granted at the current time, so a late timer
/// only ever delays a request, never crowds a window. A group held back by its own limit does not hold back the others.
/// <para>
/// Hand-written rather than System.Threading.RateLimiting: its limiters replenish on a timer of their own (a late tick on
/// a loaded machine stretches the window), cannot be paused until a 429's <c>Retry-After</c> has passed, and keep their
/// count in the process, where the Function App's instances must share one budget through a store. The token bucket the
/// client used before (bench/RoleMining.RateBudget.Bench, <c>PreviousLimiter.cs</c>) paced every request whether or not
/// the budget was spent.
/// </para>
/// </summary>
internal abstract class QueuedRateLimiter : ISailPointRateLimiter, IDisposable
{
    private readonly Dictionary<string, PermitGroup> _groups;
    private readonly ITimer _timer;
    private long _sequence;
    private int _queued;
    private int _lowestObservedLimit = int.MaxValue;
    private bool _disposed;

    protected QueuedRateLimiter(RateBudgetPolicy policy, TimeProvider timeProvider, ILogger logger, Func<string, RequestLog?> groupLog)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(groupLog);
        Policy = policy;
        Time = timeProvider;
        Logger = logger;
        _groups = policy.Groups.ToDictionary(group => group, group => new PermitGroup(group, groupLog(group)), StringComparer.Ordinal);
        _timer = timeProvider.CreateTimer(static state => ((QueuedRateLimiter)state!).Pump(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    protected enum Take
    {
        Granted,

        /// <summary>The group has no permit now; other groups may.</summary>
        GroupExhausted,

        /// <summary>Nobody gets a permit now (the budget is spent, or paused).</summary>
        BudgetExhausted,
    }

    protected object Gate { get; } = new();

    protected RateBudgetPolicy Policy { get; }

    protected TimeProvider Time { get; }

    protected ILogger Logger { get; }

    /// <summary>Until when (in <see cref="Now"/>'s ticks) nobody may send, after a 429.</summary>
    protected long PausedUntil { get; set; }

    protected IEnumerable<PermitGroup> Groups => _groups.Values;

    /// <summary>
    /// Called under the limiter's lock with the permit group and the exact time (in <see cref="Now"/>'s ticks: UTC ticks
    /// when shared) of every permit granted: the ground truth for diagnostics and for the tests of the limiter's invariant.
    /// </summary>
    internal Action<string, long>? GrantObserved { get; set; }

    public async ValueTask<IDisposable?> AcquireAsync(string operationId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var group = _groups[Policy.GroupOf(operationId)];
        Waiter waiter;
        lock (Gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var now = Now();
            ThrowIfPausedTooLong(now);
            if (group.Waiters.Count == 0 && TryTakeLocked(group, now, out var permit) == Take.Granted)
            {
                GrantObserved?.Invoke(group.Name, now);
                return permit;
            }

            if (_queued >= Policy.QueueLimit)
            {
                throw new RateLimiterRejectedException("The client-side rate limiter refused the request: its queue is full.");
            }

            waiter = new Waiter(this, ++_sequence, cancellationToken);
            waiter.Node = group.Waiters.AddLast(waiter);
            _queued++;
            OnWaitingLocked(group, now);
            ScheduleLocked(now);
        }

        using (cancellationToken.UnsafeRegister(static state => ((Waiter)state!).Cancel(), waiter))
        {
            return await waiter.Task.ConfigureAwait(false);
        }
    }

    public abstract ValueTask OnRateLimitedAsync(string operationId, TimeSpan retryAfter, CancellationToken cancellationToken);

    public void Dispose()
    {
        lock (Gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            foreach (var group in _groups.Values)
            {
                FailWaitersLocked(group, new ObjectDisposedException(GetType().Name));
            }
        }

        _timer.Dispose();
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>The current time in the limiter's clock, in ticks.</summary>
    protected abstract long Now();

    /// <summary>Takes a permit for <paramref name="group"/> at <paramref name="now"/> if there is one; <paramref name="permit"/>
    /// is what the caller disposes when its request was answered (null if nothing needs to know).</summary>
    protected abstract Take TryTakeLocked(PermitGroup group, long now, out IDisposable? permit);

    /// <summary>When a waiting caller of <paramref name="group"/> may get a permit; null when something else will call <see cref="Pump"/>.</summary>
    protected abstract long? NextChanceLocked(PermitGroup group, long now);

    /// <summary>A caller of <paramref name="group"/> started waiting.</summary>
    protected virtual void OnWaitingLocked(PermitGroup group, long now)
    {
    }

    protected virtual void Dispose(bool disposing)
    {
    }

    /// <summary>Grants what can be granted now and sets the timer for the next chance.</summary>
    protected void Pump()
    {
        lock (Gate)
        {
            if (_disposed)
            {
                return;
            }

            var now = Now();
            GrantLocked(now);
            OnPumpedLocked(now);
            ScheduleLocked(now);
        }
    }

    /// <summary>After permits were granted by the timer: a chance to replenish what is left.</summary>
    protected virtual void OnPumpedLocked(long now)
    {
    }

    protected void GrantLocked(long now)
    {
        var held = new HashSet<PermitGroup>();
        while (true)
        {
            // The group whose first caller has waited longest goes first.
            PermitGroup? next = null;
            foreach (var group in _groups.Values)
            {
                if (group.Waiters.First is { } head && !held.Contains(group) && (next is null || head.Value.Sequence < next.Waiters.First!.Value.Sequence))
                {
                    next = group;
                }
            }

            if (next is null)
            {
                return;
            }

            switch (TryTakeLocked(next, now, out var permit))
            {
                case Take.Granted:
                    // A waiter still in the queue has not been cancelled (cancelling removes it under this lock first).
                    var waiter = next.Waiters.First!.Value;
                    next.Waiters.RemoveFirst();
                    _queued--;
                    GrantObserved?.Invoke(next.Name, now);
                    waiter.Grant(permit);
                    break;
                case Take.GroupExhausted:
                    held.Add(next);
                    break;
                default:
                    return;
            }
        }
    }

    protected void ScheduleLocked(long now)
    {
        long? next = null;
        foreach (var group in _groups.Values)
        {
            if (group.Waiters.Count > 0 && NextChanceLocked(group, now) is { } chance)
            {
                next = next is null ? chance : Math.Min(next.Value, chance);
            }
        }

        if (next is { } due && !_disposed)
        {
            _timer.Change(TimeSpan.FromTicks(Math.Max(due - now, 0)), Timeout.InfiniteTimeSpan);
        }
    }

    protected void FailWaitersLocked(PermitGroup group, Exception exception)
    {
        while (group.Waiters.First is { } node)
        {
            group.Waiters.RemoveFirst();
            _queued--;
            node.Value.Fail(exception);
        }
    }

    /// <summary>
    /// Pauses everyone until <paramref name="until"/> after a 429, and says once (per lower figure) when the 429 shows
    /// that SailPoint allows less than configured: <paramref name="observed"/> is what this budget sent in the server's
    /// window that just refused it.
    /// </summary>
    protected void PauseLocked(string operationId, long now, long until, TimeSpan retryAfter, int observed)
    {
        if (until > PausedUntil)
        {
            PausedUntil = until;
        }

        if (observed < Policy.Limit && observed < _lowestObservedLimit)
        {
            _lowestObservedLimit = observed;
            Log.RateLimitLowerThanConfigured(Logger, operationId, observed, Policy.Window.TotalSeconds, Policy.Limit, retryAfter.TotalSeconds);
        }
        else
        {
            Log.RateLimitPause(Logger, operationId, retryAfter.TotalSeconds, observed);
        }

        if (retryAfter > Policy.LongestPause)
        {
            // As the retry policy does with such a Retry-After: fail now rather than hold every caller for minutes.
            var refusal = TooLongPause(retryAfter);
            foreach (var group in _groups.Values)
            {
                FailWaitersLocked(group, refusal);
            }
        }

        ScheduleLocked(now);
    }

    /// <summary>The server's window that refused a request: it ends when <c>Retry-After</c> does, and began a window before.
    /// <c>Retry-After</c> comes in whole seconds (rounded up), so the window is taken to begin one second earlier.</summary>
    protected (long From, long To) RefusingWindow(long now, long until) =>
        (until - Policy.Window.Ticks - TimeSpan.TicksPerSecond, now + 1);

    protected void ThrowIfPausedTooLong(long now)
    {
        if (PausedUntil - now > Policy.LongestPause.Ticks)
        {
            throw TooLongPause(TimeSpan.FromTicks(PausedUntil - now));
        }
    }

    protected static RateLimiterRejectedException TooLongPause(TimeSpan wait) =>
        new($"SailPoint asked to wait {wait.TotalSeconds:0} s before the next request (429 Retry-After), longer than a request may wait.") { RetryAfter = wait };

    private void Remove(Waiter waiter)
    {
        lock (Gate)
        {
            if (waiter.Node?.List is { } list)
            {
                list.Remove(waiter.Node);
                _queued--;
            }
        }
    }

    /// <summary>The callers waiting for one group's permits, and what the implementation keeps for the group.</summary>
    protected sealed class PermitGroup(string name, RequestLog? log)
    {
        public string Name { get; } = name;

        /// <summary>The group's own limit in this process (the share of it this instance holds, when the budget is shared); null for the default group.</summary>
        public RequestLog? Log { get; } = log;

        public LinkedList<Waiter> Waiters { get; } = new();
    }

    protected sealed class Waiter(QueuedRateLimiter owner, long sequence, CancellationToken cancellationToken)
    {
        private readonly TaskCompletionSource<IDisposable?> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public long Sequence { get; } = sequence;

        public LinkedListNode<Waiter>? Node { get; set; }

        public Task<IDisposable?> Task => _completion.Task;

        public void Grant(IDisposable? permit) => _completion.TrySetResult(permit);

        public void Fail(Exception exception) => _completion.TrySetException(exception);

        public void Cancel()
        {
            owner.Remove(this);
            _completion.TrySetCanceled(cancellationToken);
        }
    }
}
