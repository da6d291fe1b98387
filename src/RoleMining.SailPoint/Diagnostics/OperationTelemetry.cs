using System.Diagnostics;
using System.Globalization;

namespace RoleMining.SailPoint.Diagnostics;

/// <summary>
/// The telemetry of one operation: its span (operation id, attempts, retries, 429s and the time waited for them and for
/// the rate budget, final status) and its metrics. The transport and the retry strategy report to it; it is the one place
/// that turns what happened into tags and measurements.
/// </summary>
internal sealed class OperationTelemetry : IDisposable
{
    private readonly SailPointMetrics _metrics;
    private readonly string _operationId;
    private readonly string _method;
    private readonly long _started;
    private readonly TimeProvider _timeProvider;
    private int _attempts;
    private int _retries;
    private int _throttled;
    private TimeSpan _retryDelay;
    private TimeSpan _throttledDelay;
    private TimeSpan _rateLimitWait;

    public OperationTelemetry(SailPointMetrics metrics, string operationId, HttpMethod method, string resourceType, TimeProvider timeProvider)
    {
        _metrics = metrics;
        _operationId = operationId;
        _method = method.Method;
        _timeProvider = timeProvider;
        _started = timeProvider.GetTimestamp();
        Activity = SailPointTelemetry.Source.StartActivity(operationId, ActivityKind.Client);
        Activity?.SetTag(SailPointTelemetry.OperationIdAttribute, operationId);
        Activity?.SetTag(SailPointTelemetry.MethodAttribute, _method);
        Activity?.SetTag("sailpoint.resource_type", resourceType);
    }

    public Activity? Activity { get; }

    /// <summary>Attempts sent so far (a token renewal's resend included).</summary>
    public int Attempts => Volatile.Read(ref _attempts);

    public TimeSpan Elapsed => _timeProvider.GetElapsedTime(_started);

    /// <summary>An HTTP attempt begins; returns its number (1-based).</summary>
    public int AttemptStarted() => Interlocked.Increment(ref _attempts);

    /// <summary>An attempt got an answer (any status) or failed without one.</summary>
    public void AttemptEnded(int? statusCode, Exception? exception)
    {
        if (statusCode == 429)
        {
            Interlocked.Increment(ref _throttled);
        }

        _metrics.RecordRequest(_operationId, _method, statusCode, exception?.GetType().Name);
    }

    /// <summary>The request waited <paramref name="wait"/> for a permit of the client-side rate budget.</summary>
    public void RateLimitWaited(TimeSpan wait)
    {
        _rateLimitWait += wait;
        _metrics.RecordRateLimitWait(_operationId, wait.TotalSeconds);
    }

    /// <summary>The retry strategy waits <paramref name="delay"/> before the next attempt, after a status or an exception.</summary>
    public void RetryScheduled(TimeSpan delay, int? statusCode, Exception? exception)
    {
        _retries++;
        _retryDelay += delay;
        if (statusCode == 429)
        {
            _throttledDelay += delay;
        }

        _metrics.RecordRetryDelay(_operationId, delay.TotalSeconds, statusCode, exception?.GetType().Name);
        Activity?.AddEvent(new ActivityEvent("retry", tags: new ActivityTagsCollection
        {
            ["sailpoint.retry.delay_ms"] = delay.TotalMilliseconds,
            [statusCode is null ? SailPointTelemetry.ErrorTypeAttribute : SailPointTelemetry.StatusCodeAttribute] =
                statusCode is { } status ? status : exception?.GetType().Name,
        }));
    }

    /// <summary>The operation ended with a response of <paramref name="statusCode"/>.</summary>
    public void Completed(int statusCode, string? trackingId)
    {
        Finish(statusCode, null);
        if (statusCode >= 400)
        {
            Activity?.SetStatus(ActivityStatusCode.Error, statusCode.ToString(CultureInfo.InvariantCulture));
            Activity?.SetTag("sailpoint.tracking_id", trackingId);
        }
    }

    /// <summary>The operation failed with <paramref name="failure"/> (a status when SailPoint answered, else a failure kind).</summary>
    public void Failed(SailPointException failure)
    {
        var status = failure.Status is { } code ? (int)code : (int?)null;
        Finish(status, status is null ? failure.Kind.ToString() : null);
        Activity?.SetStatus(ActivityStatusCode.Error, status?.ToString(CultureInfo.InvariantCulture) ?? failure.Kind.ToString());
        Activity?.SetTag("sailpoint.tracking_id", failure.TrackingId);
    }

    public void Dispose() => Activity?.Dispose();

    private void Finish(int? statusCode, string? errorType)
    {
        _metrics.RecordOperation(_operationId, Elapsed.TotalSeconds, statusCode, errorType);
        if (Activity is not { } activity)
        {
            return;
        }

        activity.SetTag("sailpoint.attempts", Attempts);
        activity.SetTag("sailpoint.retry.count", _retries);
        activity.SetTag("sailpoint.throttled.count", Volatile.Read(ref _throttled));
        activity.SetTag("sailpoint.throttled.wait_ms", _throttledDelay.TotalMilliseconds);
        activity.SetTag("sailpoint.retry.wait_ms", _retryDelay.TotalMilliseconds);
        activity.SetTag("sailpoint.rate_limiting.wait_ms", _rateLimitWait.TotalMilliseconds);
        activity.SetTag(SailPointTelemetry.StatusCodeAttribute, statusCode);
        activity.SetTag(SailPointTelemetry.ErrorTypeAttribute, errorType ?? (statusCode >= 400 ? statusCode.Value.ToString(CultureInfo.InvariantCulture) : null));
    }
}
