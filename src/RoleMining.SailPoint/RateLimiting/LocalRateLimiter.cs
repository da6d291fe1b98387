using Microsoft.Extensions.Logging;

namespace RoleMining.SailPoint.RateLimiting;

/// <summary>
/// The budget of one process (the CLI, the local API, a client built with <see cref="RoleMiningClient.Create"/>): a
/// <see cref="RequestLog"/> for the budget and one per operation with a limit of its own. A permit is granted at the
/// current time when the logs have room, so an idle budget lets the whole limit through at once, and a spent one lets
/// the next request go as soon as an earlier one's answer is a window old. Times are on the monotonic clock of the
/// injected <see cref="TimeProvider"/>. The shared limiter is this with the logs' limits set to the share it leases.
/// </summary>
internal class LocalRateLimiter : QueuedRateLimiter
{
    private readonly long _origin;
    private long _permits;

    public LocalRateLimiter(RateBudgetPolicy policy, TimeProvider timeProvider, ILogger logger)
        : base(policy, timeProvider, logger, policy.NewGroupRequestLog)
    {
        BudgetLog = policy.NewBudgetRequestLog();
        _origin = timeProvider.GetTimestamp();
    }

    /// <summary>Every request of the budget in this process, whatever its group.</summary>
    protected RequestLog BudgetLog { get; }

    public override ValueTask OnRateLimitedAsync(string operationId, TimeSpan retryAfter, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            var now = Now();
            var until = now + Math.Max(retryAfter.Ticks, 0);
            var (from, _) = RefusingWindow(now, until);
            // What the server accepted in its window: every request of the budget since it began, but the refused one.
            PauseLocked(operationId, now, until, retryAfter, Math.Max(BudgetLog.CountSince(from) - 1, 0));
        }

        return ValueTask.CompletedTask;
    }

    protected override long Now() => Time.GetElapsedTime(_origin).Ticks;

    protected override Take TryTakeLocked(PermitGroup group, long now, out IDisposable? permit)
    {
        permit = null;
        if (now < PausedUntil || !BudgetLog.HasRoom(now))
        {
            return Take.BudgetExhausted;
        }

        if (group.Log is { } own && !own.HasRoom(now))
        {
            return Take.GroupExhausted;
        }

        var id = ++_permits;
        BudgetLog.Granted(id);
        group.Log?.Granted(id);
        permit = new Permit(this, group, id);
        return Take.Granted;
    }

    protected override long? NextChanceLocked(PermitGroup group, long now)
    {
        if (BudgetLog.NextRoom(now) is not { } budget)
        {
            return null;
        }

        long? own = group.Log is { } log ? log.NextRoom(now) : now;
        return own is null ? null : Math.Max(PausedUntil, Math.Max(budget, own.Value));
    }

    private void Answered(PermitGroup group, long id)
    {
        lock (Gate)
        {
            var now = Now();
            BudgetLog.Answered(id, now);
            group.Log?.Answered(id, now);
            ScheduleLocked(now);
        }
    }

    /// <summary>Held by the transport while its request is on the way; disposing it says the answer is in.</summary>
    private sealed class Permit(LocalRateLimiter owner, PermitGroup group, long id) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.Answered(group, id);
            }
        }
    }
}
