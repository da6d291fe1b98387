using Microsoft.Extensions.Logging;
using RoleMining.SailPoint;

namespace RoleMining.Api.Diagnostics;

/// <summary>The API's log messages, source-generated (structured properties, no formatting cost when disabled).</summary>
internal static partial class Log
{
    /// <summary>At <paramref name="level"/>: Information when the caller's request was at fault (404, 400), Warning otherwise.</summary>
    [LoggerMessage(EventId = 1, Message = "{OperationId} failed: SailPoint {SailPointOperation} answered {SailPointStatus} ({FailureKind}), trackingId {TrackingId}. Answered {Status}.")]
    public static partial void SailPointFailed(ILogger logger, LogLevel level, string operationId, string sailPointOperation, int sailPointStatus, SailPointErrorKind failureKind, string? trackingId, int status);

    [LoggerMessage(2, LogLevel.Error, "{OperationId} failed unexpectedly (traceId {TraceId}); answered 500.")]
    public static partial void Unexpected(ILogger logger, string operationId, string traceId, Exception exception);

    [LoggerMessage(3, LogLevel.Debug, "{OperationId} was cancelled: the caller went away.")]
    public static partial void Cancelled(ILogger logger, string operationId);

    [LoggerMessage(14, LogLevel.Warning, "{OperationId} was cut short because the instance is stopping; answered 503.")]
    public static partial void StoppedWhileServing(ILogger logger, string operationId);

    [LoggerMessage(4, LogLevel.Error, "Streaming the identities of potential role {PotentialRoleId} (session {SessionId}) failed after {Written} identities; the response was aborted.")]
    public static partial void StreamFailed(ILogger logger, string sessionId, string potentialRoleId, long written, Exception exception);

    [LoggerMessage(5, LogLevel.Information, "Streamed {Written} identities of potential role {PotentialRoleId} (session {SessionId}) as {Format} in {Pages} pages.")]
    public static partial void StreamCompleted(ILogger logger, string sessionId, string potentialRoleId, long written, string format, int pages);

    [LoggerMessage(6, LogLevel.Information, "Export job {JobId} for potential role {PotentialRoleId} (session {SessionId}) {Outcome} (idempotency key given: {Keyed}).")]
    public static partial void ExportRequested(ILogger logger, string jobId, string sessionId, string potentialRoleId, string outcome, bool keyed);

    [LoggerMessage(7, LogLevel.Information, "Session export {BatchId} of session {SessionId}: {Created} jobs created, {Reused} reused.")]
    public static partial void SessionExportRequested(ILogger logger, string batchId, string sessionId, int created, int reused);

    [LoggerMessage(8, LogLevel.Warning, "Idempotency key of export job {JobId} was reused for another export; answered 422.")]
    public static partial void IdempotencyConflict(ILogger logger, string? jobId);

    [LoggerMessage(9, LogLevel.Warning, "The manifest of succeeded export job {JobId} could not be read.")]
    public static partial void ManifestUnreadable(ILogger logger, string jobId, Exception? exception);

    [LoggerMessage(10, LogLevel.Debug, "Caller {Caller} authenticated with a {Credential}.")]
    public static partial void CallerAuthenticated(ILogger logger, string credential, string caller);

    [LoggerMessage(11, LogLevel.Information, "Request refused with {Status}: {Reason}")]
    public static partial void CallerRejected(ILogger logger, int status, string reason);

    [LoggerMessage(15, LogLevel.Warning, "Request refused with 503: bearer tokens cannot be checked, the token issuer's metadata or keys could not be read.")]
    public static partial void TokenIssuerUnavailable(ILogger logger, Exception? exception);

    [LoggerMessage(12, LogLevel.Error, "Request refused with 503: " + Authentication.ApiAuthenticator.NotConfiguredDetail)]
    public static partial void AuthenticationNotConfigured(ILogger logger);

    [LoggerMessage(16, LogLevel.Error, "Authenticating a request to {OperationId} failed unexpectedly (traceId {TraceId}); answered 500.")]
    public static partial void AuthenticationFailedUnexpectedly(ILogger logger, string operationId, string traceId, Exception exception);

    [LoggerMessage(13, LogLevel.Critical, "No HTTP caller can be authenticated, so the HTTP API answers every request with 503; timers and queues run. " + Authentication.ApiAuthenticator.NotConfiguredDetail)]
    public static partial void AuthenticationNotConfiguredAtStart(ILogger logger);
}
