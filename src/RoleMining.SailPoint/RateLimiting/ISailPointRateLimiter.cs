namespace RoleMining.SailPoint.RateLimiting;

/// <summary>
/// The port the client asks before every API request: one singleton per container (and budget), never static state.
/// <see cref="LocalRateLimiter"/> keeps the budget in this process (the CLI, the local API);
/// <see cref="SharedRateLimiter"/> shares it through an <see cref="ISailPointRateBudgetStore"/> (every instance of the
/// Function App).
/// </summary>
internal interface ISailPointRateLimiter
{
    /// <summary>
    /// Waits until a request of <paramref name="operationId"/> may be sent, and takes its permit: send it at once, and
    /// dispose the permit (if any) when the answer came back or the attempt failed. Throws
    /// <see cref="Resilience.RateLimiterRejectedException"/> when too many requests wait already, when SailPoint asked
    /// everyone to wait longer than a request may, or when a shared budget cannot be reached.
    /// </summary>
    ValueTask<IDisposable?> AcquireAsync(string operationId, CancellationToken cancellationToken);

    /// <summary>
    /// SailPoint answered 429 with <paramref name="retryAfter"/>: nobody sharing the budget sends before it has passed.
    /// </summary>
    ValueTask OnRateLimitedAsync(string operationId, TimeSpan retryAfter, CancellationToken cancellationToken);
}
