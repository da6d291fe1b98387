using Microsoft.Extensions.Logging;

namespace RoleMining.SailPoint.Diagnostics;

/// <summary>
/// Source-generated log messages. Structured properties only; no message ever takes a token, a secret, a header or a
/// request body.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Debug,
        Message = "SailPoint {OperationId} {Method} answered {StatusCode} on attempt {Attempt} in {ElapsedMs:0.0} ms (trackingId {TrackingId})")]
    public static partial void AttemptCompleted(ILogger logger, string operationId, string method, int statusCode, int attempt, double elapsedMs, string? trackingId);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning,
        Message = "SailPoint {OperationId} {Method} attempt {Attempt} failed after {ElapsedMs:0.0} ms: {ErrorType}")]
    public static partial void AttemptFailed(ILogger logger, string operationId, string method, int attempt, double elapsedMs, string errorType, Exception exception);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information,
        Message = "SailPoint {OperationId}: attempt {Attempt} in {DelayMs:0} ms after {Reason}")]
    public static partial void RetryScheduled(ILogger logger, string operationId, int attempt, double delayMs, string reason);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning,
        Message = "SailPoint {OperationId} failed with {StatusCode} after {Attempts} attempt(s) in {ElapsedMs:0.0} ms: {DetailCode} (trackingId {TrackingId})")]
    public static partial void OperationFailed(ILogger logger, string operationId, int statusCode, int attempts, double elapsedMs, string? detailCode, string? trackingId);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information,
        Message = "SailPoint access token acquired for client {ClientId}; expires in {ExpiresInSeconds:0} s; took {ElapsedMs:0.0} ms")]
    public static partial void TokenAcquired(ILogger logger, string clientId, double expiresInSeconds, double elapsedMs);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning,
        Message = "SailPoint token request failed with {StatusCode} after {ElapsedMs:0.0} ms")]
    public static partial void TokenRequestFailed(ILogger logger, int statusCode, double elapsedMs);

    [LoggerMessage(EventId = 14, Level = LogLevel.Warning,
        Message = "SailPoint token endpoint could not be reached after {ElapsedMs:0.0} ms ({ErrorType})")]
    public static partial void TokenEndpointUnreachable(ILogger logger, double elapsedMs, string errorType);

    [LoggerMessage(EventId = 7, Level = LogLevel.Information,
        Message = "SailPoint {OperationId}: access token rejected with 401; renewing it and sending once more")]
    public static partial void TokenRejected(ILogger logger, string operationId);

    // A warning: the breaker protects the tenant and heals itself; the calls it refuses fail (and log) on their own.
    [LoggerMessage(EventId = 8, Level = LogLevel.Warning,
        Message = "SailPoint circuit opened for {BreakSeconds:0} s after {Reason}: calls to this tenant fail fast")]
    public static partial void CircuitOpened(ILogger logger, double breakSeconds, string reason);

    [LoggerMessage(EventId = 9, Level = LogLevel.Information, Message = "SailPoint circuit half-open: one trial call")]
    public static partial void CircuitHalfOpened(ILogger logger);

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "SailPoint circuit closed: calls flow again")]
    public static partial void CircuitClosed(ILogger logger);

    [LoggerMessage(EventId = 11, Level = LogLevel.Debug,
        Message = "SailPoint {OperationId}: 400 at offset {Offset} read as the end of the data")]
    public static partial void BadRequestAtEndOfData(ILogger logger, string operationId, int offset);

    [LoggerMessage(EventId = 13, Level = LogLevel.Warning,
        Message = "SailPoint {OperationId} failed without an answer after {Attempts} attempt(s) in {ElapsedMs:0.0} ms: {ErrorKind}")]
    public static partial void OperationFailedWithoutAnswer(ILogger logger, string operationId, int attempts, double elapsedMs, SailPointErrorKind errorKind);

    [LoggerMessage(EventId = 12, Level = LogLevel.Debug,
        Message = "SailPoint {OperationId}: waited {WaitMs:0.0} ms for a rate-limit permit")]
    public static partial void RateLimitWait(ILogger logger, string operationId, double waitMs);

    [LoggerMessage(EventId = 18, Level = LogLevel.Warning,
        Message = "SailPoint {OperationId} answered 429 after only {ObservedRequests} requests of this budget in {WindowSeconds:0.#} s (configured: {ConfiguredLimit}): the tenant's limit is lower than SailPoint:RateLimit says. Every request of the budget waits {RetryAfterSeconds:0.#} s (Retry-After)")]
    public static partial void RateLimitLowerThanConfigured(ILogger logger, string operationId, int observedRequests, double windowSeconds, int configuredLimit, double retryAfterSeconds);

    [LoggerMessage(EventId = 15, Level = LogLevel.Information,
        Message = "SailPoint {OperationId} answered 429: every request of the budget waits {RetryAfterSeconds:0.#} s (Retry-After); {ObservedRequests} requests of this budget were in the refusing window")]
    public static partial void RateLimitPause(ILogger logger, string operationId, double retryAfterSeconds, int observedRequests);

    [LoggerMessage(EventId = 16, Level = LogLevel.Warning,
        Message = "The pause after a 429 could not be shared with the other instances ({ErrorType}); this instance pauses alone")]
    public static partial void SharedPauseNotWritten(ILogger logger, string errorType, Exception exception);

    [LoggerMessage(EventId = 19, Level = LogLevel.Warning,
        Message = "The shared SailPoint rate budget {BudgetId} could not be renewed ({ErrorType}); this instance keeps its share for the {LeaseLeftMs} ms its lease still holds and tries again in {RetryInMs} ms")]
    public static partial void SharedBudgetRenewalFailed(ILogger logger, string budgetId, string errorType, double leaseLeftMs, double retryInMs, Exception exception);

    [LoggerMessage(EventId = 17, Level = LogLevel.Error,
        Message = "The shared SailPoint rate budget {BudgetId} could not be read or renewed ({ErrorType}); the waiting requests fail")]
    public static partial void SharedBudgetUnavailable(ILogger logger, string budgetId, string errorType, Exception exception);
}
