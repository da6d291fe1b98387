using Microsoft.Extensions.Logging;
using RoleMining.SailPoint.Diagnostics;
using RoleMining.SailPoint.Resilience;

namespace RoleMining.SailPoint.RateLimiting;

/// <summary>
/// The budget of every process that shares an <see cref="ISailPointRateBudgetStore"/> (all instances of the Function
/// App). Each instance leases a share of it, a number of permits per window, and grants them exactly as a process's own
/// budget does (<see cref="LocalRateLimiter"/>, a <see cref="RequestLog"/> whose limit is the share), so it goes to the
/// store only to renew or change its lease, not for every request or batch of requests. The store holds one document
/// per budget (<see cref="RateBudgetDocument"/>), replaced only on the version that was read (ETag): two instances that
/// read the same version cannot both write, so the shares never add up to more than the budget.
/// <para>
/// Why the shares together never send more than the budget in any window: an instance's log holds every request from its
/// permit until a span (window plus jitter margin) after its answer, and grants only while it holds fewer than its
/// share, so in any window the server counts at most as many of its requests as its share was when it granted the last
/// of them. An instance gives up part of its share only once its log holds no more than what it keeps, and lowers its
/// log's limit before it writes; another instance raises its own only after its write took the part. So whoever holds
/// a permit of the share in a window, the requests counted there under it are one holder's. A lease that was not renewed
/// (its instance died, or lost the store) stops its instance granting when it ends, and its share is free for the others
/// one span later, when nothing it sent can share a window with what they send (a request is counted when it arrives,
/// which the jitter margin covers).
/// </para>
/// <para>
/// How the budget is split: every instance writes how many permits per window it would use (all of them while its
/// callers wait for want of a share; else what its log holds plus its waiting callers), and the budget is divided
/// max-min fairly over those wants, the rest equally among the instances that want any; each instance computes the split
/// from the document and takes its own part as it frees up. One instance alone holds the whole budget and bursts as a
/// process's own budget would. An instance reads the store again at the latest after
/// <see cref="SailPointRateLimitOptions.LeaseRenewal"/>; after an eighth of it (doubling back as things settle) while its
/// share changes or is not yet its part and for one renewal after instances came or went; when an instance that holds
/// more than its part said it would read (and give it up); and at once when its callers wait while the last read showed
/// free permits. It writes only when its lease changes or is due for renewal. A 429 writes its pause into the document;
/// the other instances honour it from their next read.
/// </para>
/// <para>
/// What this costs against a budget kept per claim (each instance claiming permits for the callers it has, as this
/// class did until 2026-12-01): a share an instance does not use at the moment is not lent to another, which a claim
/// would have been; in exchange a permit is counted exactly (a claim had to be counted over the claim's whole lifetime
/// too), and the store is read about once per renewal per instance instead of once per batch of requests.
/// </para>
/// </summary>
internal sealed class SharedRateLimiter : LocalRateLimiter
{
    private const int MaxWriteAttempts = 64;
    private const int MaxPauseAttempts = 16;

    private readonly ISailPointRateBudgetStore _store;
    private readonly SemaphoreSlim _storeGate = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private readonly string _instance = Guid.NewGuid().ToString("N")[..12];
    private readonly Dictionary<string, Share> _shares;
    private readonly long _span;
    private long _writeLatency;

    // Under Gate.
    private long _leaseUntil;

    /// <summary>This instance has a lease in the document (permits, or only a want that the split keeps a part for).</summary>
    private bool _inBudget;
    private bool _stewarding;
    private TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _interval;
    private int _liveAtLastRead;
    private long _liveChangedAt;

    public SharedRateLimiter(RateBudgetPolicy policy, ISailPointRateBudgetStore store, TimeProvider timeProvider, ILogger logger)
        : base(policy, timeProvider, logger)
    {
        _store = store;
        _span = policy.LongestSpan.Ticks;
        _interval = MinInterval;
        _shares = Groups.ToDictionary(group => group.Name, group => new Share(group.Log ?? BudgetLog) { Name = group.Name }, StringComparer.Ordinal);
        foreach (var share in _shares.Values)
        {
            // Nothing is this instance's until its first lease.
            share.Log.Limit = 0;
        }
    }

    private long MinInterval => Math.Max(Policy.LeaseRenewal.Ticks / 8, 1);

    public override async ValueTask OnRateLimitedAsync(string operationId, TimeSpan retryAfter, CancellationToken cancellationToken)
    {
        var now = Now();
        var until = now + Math.Max(retryAfter.Ticks, 0);
        int sentHere;
        lock (Gate)
        {
            PausedUntil = Math.Max(PausedUntil, until);
            var (from, _) = RefusingWindow(now, until);
            sentHere = Math.Max(BudgetLog.CountSince(from) - 1, 0);
        }

        var observed = sentHere;
        try
        {
            observed += await SharePauseAsync(until, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // This instance pauses anyway; the others learn of the pause from their own 429s.
            Log.SharedPauseNotWritten(Logger, exception.GetType().Name, exception);
        }

        lock (Gate)
        {
            PauseLocked(operationId, Now(), until, retryAfter, observed);
        }
    }

    protected override long Now() => Time.GetUtcNow().UtcTicks;

    protected override Take TryTakeLocked(PermitGroup group, long now, out IDisposable? permit)
    {
        permit = null;
        if (now >= _leaseUntil)
        {
            // No lease (yet, or any more): the steward reads the store when it can tell more. That is not a sign of wanting
            // more than a share, so it is not counted as a refusal.
            WakeIfFreeLocked(_shares[RateBudgetPolicy.DefaultGroup]);
            return Take.BudgetExhausted;
        }

        var take = base.TryTakeLocked(group, now, out permit);
        if (now >= PausedUntil)
        {
            if (take == Take.BudgetExhausted)
            {
                Refused(_shares[RateBudgetPolicy.DefaultGroup]);
            }
            else if (take == Take.GroupExhausted)
            {
                Refused(_shares[group.Name]);
            }
        }

        return take;
    }

    protected override long? NextChanceLocked(PermitGroup group, long now) =>
        now >= _leaseUntil ? null : base.NextChanceLocked(group, now);

    protected override void OnWaitingLocked(PermitGroup group, long now)
    {
        if (!_stewarding && !_stopping.IsCancellationRequested)
        {
            _stewarding = true;
            _ = Task.Run(StewardAsync);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            // The steward sees the cancellation and stops; the token source and the semaphore hold no unmanaged handle
            // (no WaitHandle was asked for), so they are left to the collector rather than disposed under a loop that may
            // still touch them. The lease ends by itself.
            _stopping.Cancel();
        }

        base.Dispose(disposing);
    }

    /// <summary>
    /// The max-min fair split of <paramref name="capacity"/> over the wants: one permit at a time to each instance that
    /// wants more than it has, in the order of their ids starting at the <paramref name="turn"/>-th (modulo their count),
    /// until the wants are met or nothing is left; what is left then goes round the instances that want any, in id order. The turn
    /// moves on with time (<see cref="TurnAt"/>), so when more instances want a group than it has permits, the ones left
    /// out change rather than always being the highest ids. Written out because no library splits integers this way; the
    /// budget is at most a few thousand permits, so the loop is short.
    /// </summary>
    internal static Dictionary<string, int> FairSplit(int capacity, IReadOnlyList<(string Id, int Want)> wants, long turn = 0)
    {
        var split = wants.ToDictionary(want => want.Id, _ => 0, StringComparer.Ordinal);
        var sorted = wants.OrderBy(want => want.Id, StringComparer.Ordinal).ToList();
        var first = sorted.Count == 0 ? 0 : (int)(turn % sorted.Count);
        var ordered = sorted[first..].Concat(sorted[..first]).ToList();
        var left = capacity;
        var gave = true;
        while (left > 0 && gave)
        {
            gave = false;
            foreach (var (id, want) in ordered)
            {
                if (left > 0 && split[id] < want)
                {
                    split[id]++;
                    left--;
                    gave = true;
                }
            }
        }

        // The rest in id order, not by turn: every want is met by then, so turning would only move an odd permit between
        // instances at every turn (and make them read again), for nothing.
        var wanting = sorted.Where(want => want.Want > 0).ToList();
        while (left > 0 && wanting.Count > 0)
        {
            foreach (var (id, _) in wanting.TakeWhile(_ => left > 0))
            {
                split[id]++;
                left--;
            }
        }

        return split;
    }

    /// <summary>
    /// Whose turn it is to come first in the split: the same in every instance (they share the UTC clock, give or take its
    /// skew, which costs at most a read or two as parts change hands: permits are only ever taken from what is free), and
    /// it moves on every two lease durations, long enough for a part to drain and change hands between turns.
    /// </summary>
    private long TurnAt(long now) => now / (2 * Policy.LeaseDuration.Ticks);

    private void Refused(Share share)
    {
        share.RefusedAt = Now();
        WakeIfFreeLocked(share);
    }

    /// <summary>Reads the store at once when its last read showed permits free that this instance's part has room for.</summary>
    private void WakeIfFreeLocked(Share share)
    {
        if (share.FreeAtLastRead > 0 && share.TargetAtLastRead > share.Log.Limit)
        {
            _wake.TrySetResult();
        }
    }

    private async Task StewardAsync()
    {
        try
        {
            var next = Now();
            var failures = 0;
            while (true)
            {
                Task wake;
                lock (Gate)
                {
                    var now = Now();
                    if (!_inBudget && Groups.All(group => group.Waiters.Count == 0) && _shares.Values.All(share => share.Log.Count(now) == 0))
                    {
                        // No lease in the budget (so no part of it kept for this instance), nothing sent lately, nobody
                        // waiting: the next caller starts this again.
                        _stewarding = false;
                        return;
                    }

                    wake = _wake.Task;
                }

                var delay = next - Now();
                if (delay > 0)
                {
                    using var waiting = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
                    await Task.WhenAny(Task.Delay(TimeSpan.FromTicks(delay), Time, waiting.Token), wake).ConfigureAwait(false);
                    await waiting.CancelAsync().ConfigureAwait(false);
                    _stopping.Token.ThrowIfCancellationRequested();
                }

                lock (Gate)
                {
                    if (_wake.Task.IsCompleted)
                    {
                        _wake = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    }
                }

                try
                {
                    next = await RenewAsync(_stopping.Token).ConfigureAwait(false);
                    failures = 0;
                }
                catch (Exception exception) when (!_stopping.IsCancellationRequested && LeaseLeft() is var left && left >= MinInterval)
                {
                    // The store failed (an outage the storage client's own retries did not outlast, or instances that kept
                    // writing first), but this instance's lease still holds: it keeps granting its share, which the others
                    // leave alone until the lease ends, and tries again before the lease runs out. Once less than the
                    // shortest renewal interval is left, its waiting callers fail (below).
                    failures++;
                    // Never sooner than the shortest renewal interval: a store that fails fast must not be asked in a burst
                    // as the lease runs out.
                    var retryIn = Math.Min(MinInterval << Math.Min(failures - 1, 3), Math.Max(left / 2, MinInterval));
                    Log.SharedBudgetRenewalFailed(Logger, Policy.BudgetId, exception.GetType().Name, TimeSpan.FromTicks(left).TotalMilliseconds, TimeSpan.FromTicks(retryIn).TotalMilliseconds, exception);
                    next = Now() + retryIn;
                }
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Disposed.
        }
        catch (Exception exception)
        {
            Log.SharedBudgetUnavailable(Logger, Policy.BudgetId, exception.GetType().Name, exception);
            lock (Gate)
            {
                _stewarding = false;
                var refusal = new RateLimiterRejectedException("The shared SailPoint rate budget could not be read or renewed: " + exception.Message, exception);
                foreach (var group in Groups)
                {
                    FailWaitersLocked(group, refusal);
                }
            }
        }
    }

    /// <summary>How long this instance's lease still holds (zero or less when it has none).</summary>
    private long LeaseLeft()
    {
        lock (Gate)
        {
            return _leaseUntil - Now();
        }
    }

    /// <summary>
    /// Reads the budget, works out this instance's part of it, takes what is free of that or gives up what it holds beyond
    /// it, and writes its lease; returns when to read again.
    /// </summary>
    private async Task<long> RenewAsync(CancellationToken cancellationToken)
    {
        await _storeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            for (var attempt = 0; attempt < MaxWriteAttempts; attempt++)
            {
                var (document, version) = await ReadAsync(cancellationToken).ConfigureAwait(false);
                var now = Now();
                document.Forget(now, _span);
                var mine = document.Leases.Find(lease => lease.Id == _instance);
                document.Leases.RemoveAll(lease => lease.Id == _instance);
                var lease = new RateBudgetLease { Id = _instance, Until = new DateTimeOffset(now + Policy.LeaseDuration.Ticks, TimeSpan.Zero) };
                var next = Plan(document, mine, lease, now);
                if (mine is not null && Same(mine, lease) && mine.Until.UtcTicks - now > Policy.LeaseDuration.Ticks - Policy.LeaseRenewal.Ticks)
                {
                    // Nothing to change, and the lease was renewed within the last renewal interval: a read is enough, and
                    // the store is left to the instances that have something to write (an instance giving up permits must
                    // not lose its write to others that only say again what they said).
                    lock (Gate)
                    {
                        ApplyLocked(mine);
                    }

                    return next;
                }

                if (lease.Units.Count > 0 || lease.Wants.Count > 0)
                {
                    document.Leases.Add(lease);
                }

                var content = document.ToBytes();
                var writing = Time.GetTimestamp();
                var written = await _store.TryReplaceAsync(Policy.BudgetId, content, version, cancellationToken).ConfigureAwait(false);
                var latency = Time.GetElapsedTime(writing).Ticks;
                _writeLatency = _writeLatency == 0 ? latency : ((_writeLatency * 3) + latency) / 4;
                if (written is null)
                {
                    // Another instance wrote first: read again and plan on what it wrote. Writers that collided wait a random
                    // part of a few write latencies first, so that they do not collide again.
                    // The latency is measured on the limiter's clock: on a clock that stands still during writes (a test's)
                    // it is zero and nobody waits for time that does not pass.
                    if (_writeLatency > 0)
                    {
                        var backOff = Random.Shared.NextInt64(_writeLatency * Math.Min(attempt + 1, 4));
                        await Task.Delay(TimeSpan.FromTicks(backOff), Time, cancellationToken).ConfigureAwait(false);
                    }

                    continue;
                }

                lock (Gate)
                {
                    ApplyLocked(lease);
                }

                return next;
            }

            throw new InvalidOperationException($"The shared SailPoint rate budget could not be renewed in {MaxWriteAttempts} attempts: other instances kept replacing it first.");
        }
        finally
        {
            _storeGate.Release();
        }
    }

    /// <summary>Grants what the lease in the store gives this instance: only once it is written may the logs grant it.</summary>
    private void ApplyLocked(RateBudgetLease lease)
    {
        foreach (var share in _shares.Values)
        {
            share.Units = lease.UnitsOf(share.Name);
            share.Log.Limit = share.Planned;
        }

        _leaseUntil = lease.Units.Count > 0 ? lease.Until.UtcTicks : 0;
        _inBudget = lease.Units.Count > 0 || lease.Wants.Count > 0;
        var now = Now();
        GrantLocked(now);
        ScheduleLocked(now);
    }

    private static bool Same(RateBudgetLease stored, RateBudgetLease planned) =>
        stored.Units.Count == planned.Units.Count && stored.Units.All(pair => planned.UnitsOf(pair.Key) == pair.Value)
        && stored.Wants.Count == planned.Wants.Count && stored.Wants.All(pair => planned.WantOf(pair.Key) == pair.Value);

    /// <summary>
    /// Fills <paramref name="lease"/> with what this instance holds and wants after this read, lowers the logs' limits
    /// that go down (safe before the write), and returns when to read again.
    /// </summary>
    private long Plan(RateBudgetDocument document, RateBudgetLease? mine, RateBudgetLease lease, long now)
    {
        lock (Gate)
        {
            if (document.PausedUntil is { } paused && paused.UtcTicks > PausedUntil)
            {
                PausedUntil = paused.UtcTicks;
            }

            var live = document.Leases.Where(other => other.Until.UtcTicks > now).ToList();
            var changed = false;
            var next = long.MaxValue;
            foreach (var share in _shares.Values)
            {
                var name = share.Name;
                var capacity = Policy.LimitOf(name);
                var held = mine?.UnitsOf(name) ?? 0;
                var count = share.Log.Count(now);
                var waiting = name == RateBudgetPolicy.DefaultGroup ? Groups.Sum(group => group.Waiters.Count) : Groups.First(group => group.Name == name).Waiters.Count;
                // Callers that waited for want of a share within the last span say the instance would use more than it has
                // (its callers come in bursts: a job's next request follows the answer to its last one), so it asks for all
                // there is until a span passes without that.
                var starved = now - share.RefusedAt < share.Log.Span || (waiting > 0 && now >= PausedUntil && !share.Log.HasRoom(now));
                var want = starved ? capacity : Math.Min(capacity, count + waiting);
                var free = Math.Max(capacity - document.Leases.Sum(other => other.UnitsOf(name)) - held, 0);
                var split = FairSplit(capacity, [.. live.Select(other => (other.Id, other.WantOf(name))), (_instance, want)], TurnAt(now));
                var target = split[_instance];

                int units;
                if (target >= held)
                {
                    units = held + Math.Min(target - held, free);
                    share.Planned = units;
                }
                else
                {
                    // What the log still holds beyond the part stays this instance's until it drains.
                    units = Math.Min(held, Math.Max(target, count));
                    share.Planned = target;
                    next = Math.Min(next, share.Log.WhenAtMost(now, target) ?? now + MinInterval);
                }

                if (share.Planned < share.Log.Limit)
                {
                    share.Log.Limit = share.Planned;
                }

                if (units < target)
                {
                    // Short of its part: read again when an instance above its own part said it would read (and give up
                    // what it can), or when a lapsed lease's share comes free.
                    var freeing = live.Where(other => other.UnitsOf(name) > split[other.Id]).Select(other => other.Next.UtcTicks + Math.Max(2 * _writeLatency, TimeSpan.TicksPerMillisecond * 20))
                        .Concat(document.Leases.Where(other => other.Until.UtcTicks <= now && other.UnitsOf(name) > 0).Select(other => other.Until.UtcTicks + _span))
                        .DefaultIfEmpty(long.MaxValue).Min();
                    next = Math.Min(next, freeing);
                }

                // While this instance's share moves, or is not yet its part, it reads again soon.
                changed |= units != held || units != target;
                share.TargetAtLastRead = target;
                share.FreeAtLastRead = free - Math.Max(units - held, 0);
                if (units > 0)
                {
                    lease.Units[name] = units;
                }

                if (want > 0)
                {
                    lease.Wants[name] = want;
                }
            }

            // Instances that came or went change every part; those that hold more than their new part give it up only when
            // they read, so for one renewal after the last such change every instance reads soon.
            if (live.Count != _liveAtLastRead)
            {
                (_liveAtLastRead, _liveChangedAt) = (live.Count, now);
            }

            changed |= now - _liveChangedAt < Policy.LeaseRenewal.Ticks;
            _interval = changed ? MinInterval : Math.Min(_interval * 2, Policy.LeaseRenewal.Ticks);
            next = Math.Clamp(next, now + MinInterval, now + _interval);
            lease.Next = new DateTimeOffset(next, TimeSpan.Zero);
            return next;
        }
    }

    /// <summary>Writes the pause into the shared document; returns how many permits the other instances held in the
    /// refusing window (at most what they sent in it).</summary>
    private async Task<int> SharePauseAsync(long until, CancellationToken cancellationToken)
    {
        await _storeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            for (var attempt = 0; attempt < MaxPauseAttempts; attempt++)
            {
                var (document, version) = await ReadAsync(cancellationToken).ConfigureAwait(false);
                var now = Now();
                var others = document.Leases.Where(lease => lease.Id != _instance && lease.Until.UtcTicks > now - Policy.Window.Ticks).Sum(lease => lease.UnitsOf(RateBudgetPolicy.DefaultGroup));
                if (document.PausedUntil is { } paused && paused.UtcTicks >= until)
                {
                    return others;
                }

                document.PausedUntil = new DateTimeOffset(until, TimeSpan.Zero);
                document.Forget(now, _span);
                var content = document.ToBytes();
                if (await _store.TryReplaceAsync(Policy.BudgetId, content, version, cancellationToken).ConfigureAwait(false) is not null)
                {
                    return others;
                }
            }

            throw new InvalidOperationException($"The pause could not be written to the shared SailPoint rate budget in {MaxPauseAttempts} attempts.");
        }
        finally
        {
            _storeGate.Release();
        }
    }

    /// <summary>The document as stored (always read afresh: a decision to leave the lease as it is rests on what the
    /// others wrote since).</summary>
    private async Task<(RateBudgetDocument Document, string? Version)> ReadAsync(CancellationToken cancellationToken)
    {
        var stored = await _store.ReadAsync(Policy.BudgetId, cancellationToken).ConfigureAwait(false);
        return stored is null ? (new RateBudgetDocument(), null) : (RateBudgetDocument.Read(stored.Content.Span, Policy.Groups.Max(Policy.LimitOf)), stored.Version);
    }

    /// <summary>This instance's side of one permit group's share.</summary>
    private sealed class Share(RequestLog log)
    {
        public string Name { get; init; } = "";

        /// <summary>The group's log here; its limit is what this instance may grant now.</summary>
        public RequestLog Log { get; } = log;

        /// <summary>Permits per window the lease in the store gives this instance.</summary>
        public int Units { get; set; }

        /// <summary>The log's limit once the write being made is in.</summary>
        public int Planned { get; set; }

        /// <summary>When a caller last waited for want of a share.</summary>
        public long RefusedAt { get; set; } = long.MinValue / 2;

        public int TargetAtLastRead { get; set; }

        public int FreeAtLastRead { get; set; }
    }
}
