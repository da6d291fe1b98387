using Microsoft.Extensions.Logging;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;
using RoleMining.SailPoint.Diagnostics;
using RoleMining.SailPoint.Authentication;
using RoleMining.SailPoint.Http;

namespace RoleMining.SailPoint.Resilience;

/// <summary>
/// Builds the Polly v8 pipelines: total timeout → retry → circuit breaker around each operation, and a per-attempt
/// timeout inside it. One pipeline instance is shared per registration, so its circuit state is shared too.
/// </summary>
internal static class SailPointResiliencePipelines
{
    public static readonly ResiliencePropertyKey<RoleMiningOperation> OperationKey = new("sailpoint.operation");

    /// <summary>The operation's telemetry, told about each retry and its delay.</summary>
    public static readonly ResiliencePropertyKey<OperationTelemetry> TelemetryKey = new("sailpoint.telemetry");

    private static readonly TimeSpan RetryAfterTimerMargin = TimeSpan.FromMilliseconds(20);

    public static ResiliencePipeline<HttpResponseMessage> BuildOperationPipeline(RoleMiningClientOptions options, TimeProvider timeProvider, ILogger logger, CircuitOpenCause circuitOpenCause)
    {
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = timeProvider };

        builder.AddTimeout(new TimeoutStrategyOptions { Timeout = options.Timeouts.Total });

        if (options.Retry.MaxRetryAttempts > 0)
        {
            var maxRetryAfter = options.Retry.MaxRetryAfter;
            var maxConnectRetries = Math.Min(options.Retry.MaxConnectRetryAttempts, options.Retry.MaxRetryAttempts);
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = options.Retry.MaxRetryAttempts,
                Delay = options.Retry.BaseDelay,
                MaxDelay = options.Retry.MaxDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = arguments =>
                {
                    // A tenant that cannot be reached at all gets the small connect budget, not the full retry budget.
                    switch (TransientFailures.ConnectFailureOf(arguments.Outcome.Exception))
                    {
                        case ConnectFailure.NameNotResolved:
                            return ValueTask.FromResult(false);
                        case ConnectFailure.NotConnected:
                            return ValueTask.FromResult(arguments.AttemptNumber < maxConnectRetries);
                    }

                    var operation = arguments.Context.Properties.GetValue(OperationKey, null!);
                    if (!TransientFailures.IsRetryable(arguments.Outcome, operation))
                    {
                        return ValueTask.FromResult(false);
                    }

                    // A wait beyond the budget fails now rather than holding the caller for minutes.
                    var retryAfter = RetryAfterOf(arguments.Outcome, timeProvider);
                    return ValueTask.FromResult(retryAfter is null || retryAfter <= maxRetryAfter);
                },

                // Retry-After is the service's own instruction: waited for exactly, without jitter or cap, plus a hair,
                // because timers run on a millisecond tick (15.6 ms on Windows) and may fire a fraction of it early;
                // arriving early would only earn another 429.
                DelayGenerator = arguments => ValueTask.FromResult(
                    RetryAfterOf(arguments.Outcome, timeProvider) is { } retryAfter ? retryAfter + RetryAfterTimerMargin : (TimeSpan?)null),
                OnRetry = arguments =>
                {
                    var operation = arguments.Context.Properties.GetValue(OperationKey, null!);
                    if (arguments.Context.Properties.TryGetValue(TelemetryKey, out var telemetry))
                    {
                        telemetry.RetryScheduled(
                            arguments.RetryDelay,
                            arguments.Outcome.Result is { } response ? (int)response.StatusCode : null,
                            arguments.Outcome.Exception);
                    }

                    Log.RetryScheduled(
                        logger,
                        operation.OperationId,
                        arguments.AttemptNumber + 2,
                        arguments.RetryDelay.TotalMilliseconds,
                        Describe(arguments.Outcome));
                    return ValueTask.CompletedTask;
                },
            });
        }

        if (options.CircuitBreaker.Enabled)
        {
            builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
            {
                FailureRatio = options.CircuitBreaker.FailureRatio,
                MinimumThroughput = options.CircuitBreaker.MinimumThroughput,
                SamplingDuration = options.CircuitBreaker.SamplingDuration,
                BreakDuration = options.CircuitBreaker.BreakDuration,
                ShouldHandle = arguments => ValueTask.FromResult(TransientFailures.IsCircuitFailure(arguments.Outcome)),
                OnOpened = arguments =>
                {
                    circuitOpenCause.Record(arguments.Outcome, arguments.Context.Properties.GetValue(OperationKey, null!));
                    Log.CircuitOpened(logger, arguments.BreakDuration.TotalSeconds, Describe(arguments.Outcome));
                    return ValueTask.CompletedTask;
                },
                OnHalfOpened = _ =>
                {
                    Log.CircuitHalfOpened(logger);
                    return ValueTask.CompletedTask;
                },
                OnClosed = _ =>
                {
                    Log.CircuitClosed(logger);
                    return ValueTask.CompletedTask;
                },
            });
        }

        return builder.Build();
    }

    /// <summary>The time budget of one HTTP attempt (until the response headers, or the whole body for JSON calls).</summary>
    public static ResiliencePipeline BuildAttemptPipeline(RoleMiningClientOptions options, TimeProvider timeProvider) =>
        new ResiliencePipelineBuilder { TimeProvider = timeProvider }
            .AddTimeout(new TimeoutStrategyOptions { Timeout = options.Timeouts.Attempt })
            .Build();

    /// <summary>The service's Retry-After: of the API's answer, or of the token endpoint's (a 429 or 503 there arrives as
    /// the exception of a token that could not be had, the header already read).</summary>
    private static TimeSpan? RetryAfterOf(Outcome<HttpResponseMessage> outcome, TimeProvider timeProvider) => outcome switch
    {
        { Result: { } response } => RetryAfterHeader.Read(response, timeProvider),
        { Exception: TokenRequestException { InnerException: SailPointException { RetryAfter: { } retryAfter } } } => retryAfter,
        _ => null,
    };

    private static string Describe(Outcome<HttpResponseMessage> outcome) =>
        outcome.Result is { } response
            ? "HTTP " + ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture)
            : outcome.Exception?.GetType().Name ?? "unknown";
}
