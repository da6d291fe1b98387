using Microsoft.Extensions.Logging;

namespace RoleMining.SailPoint.RateLimiting;

/// <summary>
/// The budget of one process (the CLI, the local API, a client built with <see cref="RoleMiningClient.Create"/>): an
/// exact sliding log per limit, in memory. A permit is granted at the current time only if the log still holds less
/// than the limit over the last window plus margin, so an idle budget lets the whole limit through at once and a
/// spent one paces requests exactly as old ones leave the window. Times are on the monotonic clock of the injected
/// <see cref="TimeProvider"/>.
/// </summary>
internal sealed class LocalRateLimiter : QueuedRateLimiter
{
    private readonly SlidingLog _budget;
    private readonly long _origin;

    public LocalRateLimiter(RateBudgetPolicy policy, TimeProvider timeProvider, ILogger logger)
        : base(policy, timeProvider, logger)
    {
        _budget = policy.NewBudgetLog();
        _origin = timeProvider.GetTimestamp();
    }

    public override ValueTask OnRateLimitedAsync(string operationId, TimeSpan retryAfter, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            var now = Now();
            var until = now + Math.Max(retryAfter.Ticks, 0);
            var (from, to) = RefusingWindow(now, until);
            PauseLocked(operationId, now, until, retryAfter, _budget.WeightBetween(from, to));
        }

        return ValueTask.CompletedTask;
    }

    protected override long Now() => Time.GetElapsedTime(_origin).Ticks;

    protected override Take TryTakeLocked(PermitGroup group, long now)
    {
        if (now < PausedUntil)
        {
            return Take.BudgetExhausted;
        }

        _budget.Prune(now);
        if (!_budget.CanAdd(now, 1))
        {
            return Take.BudgetExhausted;
        }

        group.Log?.Prune(now);
        if (group.Log is { } own && !own.CanAdd(now, 1))
        {
            return Take.GroupExhausted;
        }

        _budget.Add(now, 1);
        group.Log?.Add(now, 1);
        return Take.Granted;
    }

    protected override long? NextChanceLocked(PermitGroup group, long now) =>
        Math.Max(PausedUntil, SlidingLog.EarliestStartInBoth(_budget, group.Log, now, 1));
}
