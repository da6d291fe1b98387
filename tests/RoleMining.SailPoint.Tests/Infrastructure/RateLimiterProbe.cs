using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using RoleMining.SailPoint.RateLimiting;

namespace RoleMining.SailPoint.Tests.Infrastructure;

/// <summary>
/// Stands around the rate limiter a client's registration builds, so that a test on a fake clock knows when the client
/// is at rest: every caller still at work waits for a permit, and every request the limiter let through was answered.
/// Only then does <see cref="DriveAsync"/> move the clock, so requests reach the emulator at the fake time of their
/// permit, and a burst the limiter lets through at once arrives at once.
/// </summary>
internal sealed class RateLimiterProbe : ISailPointRateLimiter, IDisposable
{
    /// <summary>Real time without any progress after which <see cref="DriveAsync"/> gives up: ample for a loaded machine,
    /// where a request on the loopback takes milliseconds.</summary>
    private static readonly TimeSpan Stalled = TimeSpan.FromSeconds(15);

    private QueuedRateLimiter? _inner;
    private int _entered;
    private int _refused;
    private int _granted;
    private int _answered;

    /// <summary>Puts this probe around the limiter registered in <paramref name="services"/> (after <c>AddSailPointRoleMining</c>).</summary>
    public void Attach(IServiceCollection services)
    {
        var registered = services.Last(descriptor => descriptor.ServiceType == typeof(SailPointRateLimiterHolder));
        services.Remove(registered);
        services.AddSingleton(provider =>
        {
            var limiter = ((SailPointRateLimiterHolder)registered.ImplementationFactory!(provider)).Limiter;
            var queued = limiter as QueuedRateLimiter ?? throw new InvalidOperationException("The registration has no rate limiter.");

            // Called under the limiter's lock at the moment of the grant, before the caller resumes.
            queued.GrantObserved = (_, _) => Interlocked.Increment(ref _granted);
            _inner = queued;
            return new SailPointRateLimiterHolder(this);
        });
    }

    public async ValueTask<IDisposable?> AcquireAsync(string operationId, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _entered);
        IDisposable? permit;
        try
        {
            permit = await _inner!.AcquireAsync(operationId, cancellationToken);
        }
        catch
        {
            Interlocked.Increment(ref _refused);
            throw;
        }

        return new Answer(this, permit);
    }

    public ValueTask OnRateLimitedAsync(string operationId, TimeSpan retryAfter, CancellationToken cancellationToken) =>
        _inner!.OnRateLimitedAsync(operationId, retryAfter, cancellationToken);

    public void Dispose() => (_inner as IDisposable)?.Dispose();

    /// <summary>
    /// Moves <paramref name="clock"/> forward by <paramref name="step"/> each time the clients of <paramref name="probes"/>
    /// are at rest, and <paramref name="settle"/> of real time later, until every one of <paramref name="callers"/> has
    /// ended. The settle time is for a shared limiter, which renews its lease on the thread pool: a share taken late is
    /// only used later in fake time, never put into a fuller window. Fails after <paramref name="fakeLimit"/> of fake time,
    /// or when the clients neither come to rest nor make progress for <see cref="Stalled"/> of real time (a caller the
    /// probes cannot see).
    /// </summary>
    public static async Task DriveAsync(
        FakeTimeProvider clock, IReadOnlyCollection<Task> callers, IReadOnlyCollection<RateLimiterProbe> probes, TimeSpan step, TimeSpan fakeLimit, TimeSpan settle = default)
    {
        var end = clock.GetUtcNow() + fakeLimit;
        while (true)
        {
            var state = Describe(callers, probes);
            var stalled = DateTime.UtcNow + Stalled;
            while (!AtRest(callers, probes))
            {
                if (Describe(callers, probes) is var current && current != state)
                {
                    (state, stalled) = (current, DateTime.UtcNow + Stalled);
                }
                else if (DateTime.UtcNow > stalled)
                {
                    throw new TimeoutException($"The clients neither come to rest nor make progress: {state}.");
                }

                await Task.Delay(1);
            }

            if (callers.All(caller => caller.IsCompleted))
            {
                return;
            }

            if (clock.GetUtcNow() >= end)
            {
                throw new TimeoutException($"Callers still wait after {fakeLimit} of fake time: {Describe(callers, probes)}.");
            }

            if (settle > TimeSpan.Zero)
            {
                await Task.Delay(settle);
            }

            clock.Advance(step);
        }
    }

    /// <summary>
    /// Whether every caller still at work waits in a limiter's queue and nothing granted is unanswered. Read in an order
    /// that can only err towards "not at rest": callers first (their count only falls), answers before grants, and
    /// callers that entered before grants.
    /// </summary>
    private static bool AtRest(IReadOnlyCollection<Task> callers, IReadOnlyCollection<RateLimiterProbe> probes)
    {
        var working = callers.Count(caller => !caller.IsCompleted);
        var answered = probes.Sum(probe => Volatile.Read(ref probe._answered));
        var entered = probes.Sum(probe => Volatile.Read(ref probe._entered) - Volatile.Read(ref probe._refused));
        var granted = probes.Sum(probe => Volatile.Read(ref probe._granted));
        return granted == answered && working == entered - granted;
    }

    private static string Describe(IReadOnlyCollection<Task> callers, IReadOnlyCollection<RateLimiterProbe> probes) =>
        $"{callers.Count(caller => !caller.IsCompleted)} of {callers.Count} callers at work; "
        + string.Join(", ", probes.Select(probe => $"entered {probe._entered}, refused {probe._refused}, granted {probe._granted}, answered {probe._answered}"));

    /// <summary>The permit the transport holds while its request is on the way; disposing it says the answer is in.</summary>
    private sealed class Answer(RateLimiterProbe probe, IDisposable? permit) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                permit?.Dispose();
                Interlocked.Increment(ref probe._answered);
            }
        }
    }
}
