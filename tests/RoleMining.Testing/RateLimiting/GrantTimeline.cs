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
    private int _answered;
    private int _held;

    /// <summary>Records one grant of a permit group (the limiter's hook).</summary>
    public void Record(string group, long ticks) => _grants.Enqueue((group, ticks));

    /// <summary>The grants so far, in time order.</summary>
    public IReadOnlyList<long> Grants => [.. _grants.Select(grant => grant.Ticks).Order()];

    public int Count => _grants.Count;

    /// <summary>Permits handed back through <see cref="Answer"/>.</summary>
    public int Answered => Volatile.Read(ref _answered);

    /// <summary>Says the request of <paramref name="permit"/> was answered (disposes it): a request that takes no time.</summary>
    public void Answer(IDisposable? permit)
    {
        permit?.Dispose();
        Interlocked.Increment(ref _answered);
    }

    /// <summary>Marks a granted permit as deliberately held (a slow request): <see cref="DriveAsync"/> does not wait for it.</summary>
    public void Hold() => Interlocked.Increment(ref _held);

    /// <summary>Answers a permit that was held.</summary>
    public void Release(IDisposable? permit)
    {
        Interlocked.Decrement(ref _held);
        Answer(permit);
    }

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
    /// Moves <paramref name="time"/> forward by <paramref name="step"/> at a time until every task of
    /// <paramref name="tasks"/> has ended (served, failed or cancelled: the caller looks at the outcomes). Before each
    /// step it waits until every granted permit was answered (so that answers happen at the fake time of their grant)
    /// and, if <paramref name="settle"/> is given, that much real time more (limiters that claim permits on the thread
    /// pool need it). Fails after <paramref name="fakeLimit"/> of fake time: a limiter that never serves is a bug.
    /// </summary>
    public async Task DriveAsync(FakeTimeProvider time, IReadOnlyCollection<Task> tasks, TimeSpan step, TimeSpan fakeLimit, TimeSpan? settle = null)
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

            await SettleAsync(() => Answered + Volatile.Read(ref _held) >= Count, TimeSpan.FromSeconds(10));
            if (settle is { } pause)
            {
                await SettleAsync(realLimit: pause);
            }

            time.Advance(step);
        }

        await Task.WhenAll(tasks).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>Lets work that is already scheduled (continuations, store calls) run before time moves again.</summary>
    public static async Task SettleAsync(Func<bool>? until = null, TimeSpan? realLimit = null)
    {
        var deadline = DateTime.UtcNow + (realLimit ?? TimeSpan.FromMilliseconds(20));
        while (until is null || !until())
        {
            if (DateTime.UtcNow >= deadline)
            {
                return;
            }

            await Task.Delay(until is null ? 2 : 1);
        }
    }
}
