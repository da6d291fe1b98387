namespace RoleMining.Testing.RateLimiting;

/// <summary>
/// Holds callers until <c>count</c> of them have arrived (or a real-time limit passed), then lets all through at once:
/// put before a store's conditional write, it makes that many writers race on the same version for certain.
/// </summary>
public sealed class ArrivalBarrier(int count, TimeSpan limit)
{
    private readonly TaskCompletionSource _full = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _arrived;

    /// <summary>How many callers arrived so far.</summary>
    public int Arrived => Volatile.Read(ref _arrived);

    /// <summary>Waits for the others (only the first <c>count</c> callers wait; later ones pass at once).</summary>
    public async Task ArriveAsync(CancellationToken cancellationToken)
    {
        var arrived = Interlocked.Increment(ref _arrived);
        if (arrived > count)
        {
            return;
        }

        if (arrived == count)
        {
            _full.TrySetResult();
        }

        try
        {
            await _full.Task.WaitAsync(limit, cancellationToken);
        }
        catch (TimeoutException)
        {
            // Fewer callers came than expected: let this one go; the test's own assertions say what happened.
            _full.TrySetResult();
        }
    }
}
