using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;

namespace RoleMining.Testing.RateLimiting;

/// <summary>
/// The times at which a rate limiter granted permits (as the limiter itself saw them), and a driver that moves a
/// <see cref="FakeTimeProvider"/> forward until waiting callers are served: the invariants of a limiter are checked on
/// fake time, never on a stopwatch.
/// </summary>
public sealed class GrantTimeline
{
    private readonly ConcurrentQueue<(string Group, long Ticks)> _grants = new();

    /// <summary>Records one grant of a permit group (the limiter's hook).</summary>
    public void Record(string group, long ticks) => _grants.Enqueue((group, ticks));

    /// <summary>The grants so far, in time order.</summary>
    public IReadOnlyList<long> Grants => [.. _grants.Select(grant => grant.Ticks).Order()];

    public int Count => _grants.Count;

    /// <summary>The grants of one permit group, in time order.</summary>
    public IReadOnlyList<long> GrantsOf(string group) =>
        [.. _grants.Where(grant => grant.Group == group).Select(grant => grant.Ticks).Order()];

    /// <summary>The most grants (of <paramref name="group"/>, or all) inside any half-open interval <c>[a, a + length)</c>.</summary>
    public int MostWithin(TimeSpan length, string? group = null)
    {
        var grants = group is null ? Grants : GrantsOf(group);
        var most = 0;
        var first = 0;
        for (var last = 0; last < grants.Count; last++)
        {
            while (grants[last] - grants[first] >= length.Ticks)
            {
                first++;
            }

            most = Math.Max(most, last - first + 1);
        }

        return most;
    }

    /// <summary>The grants inside <c>[from, to)</c>.</summary>
    public int Between(long from, long to) => _grants.Count(grant => grant.Ticks >= from && grant.Ticks < to);

    /// <summary>
    /// Moves <paramref name="time"/> forward by <paramref name="step"/> at a time, giving the thread pool a moment after
    /// each step (<paramref name="settle"/> of real time: limiters that claim permits asynchronously need one; else only
    /// a yield), until every task of <paramref name="tasks"/> has ended
    /// (served, failed or cancelled: the caller looks at the outcomes).
    /// Fails after <paramref name="fakeLimit"/> of fake time: a limiter that never serves its callers is a bug.
    /// </summary>
    public static async Task DriveAsync(FakeTimeProvider time, IReadOnlyCollection<Task> tasks, TimeSpan step, TimeSpan fakeLimit, TimeSpan? settle = null)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(tasks);
        var end = time.GetUtcNow() + fakeLimit;
        while (!tasks.All(task => task.IsCompleted))
        {
            if (time.GetUtcNow() >= end)
            {
                throw new TimeoutException($"{tasks.Count(task => !task.IsCompleted)} of {tasks.Count} callers still wait after {fakeLimit} of fake time.");
            }

            if (settle is { } pause)
            {
                await SettleAsync(realLimit: pause);
            }
            else
            {
                await Task.Yield();
            }

            time.Advance(step);
        }

        await Task.WhenAll(tasks).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>Lets work that is already scheduled (continuations, store calls) run before time moves again.</summary>
    public static async Task SettleAsync(Func<bool>? until = null, TimeSpan? realLimit = null)
    {
        var deadline = DateTime.UtcNow + (realLimit ?? TimeSpan.FromMilliseconds(20));
        do
        {
            await Task.Delay(2);
        }
        while (DateTime.UtcNow < deadline && (until is null || !until()));
    }
}
