using System.Diagnostics;

namespace RoleMining.SailPoint.Diagnostics;

/// <summary>
/// Tracing and metric names of the client: one <see cref="Activity"/> per operation, named by its ISC operationId, and
/// the instruments of <see cref="SailPointMetrics"/>. Attribute names follow the OpenTelemetry semantic conventions where
/// one exists (<c>http.*</c>, <c>error.type</c>); the rest are namespaced <c>sailpoint.*</c>. The names are public so
/// that dashboards, alerts and their tests can refer to them.
/// </summary>
public static class SailPointTelemetry
{
    /// <summary>The name to subscribe to (<c>AddSource("RoleMining.SailPoint")</c>).</summary>
    public const string ActivitySourceName = "RoleMining.SailPoint";

    /// <summary>The meter to subscribe to (<c>AddMeter("RoleMining.SailPoint")</c>).</summary>
    public const string MeterName = "RoleMining.SailPoint";

    /// <summary>HTTP requests sent to SailPoint, one per attempt (a retried operation counts each attempt). Unit <c>{request}</c>.</summary>
    public const string RequestsInstrument = "sailpoint.client.requests";

    /// <summary>Duration of one operation, all its attempts and waits included. Unit <c>s</c>.</summary>
    public const string OperationDurationInstrument = "sailpoint.client.operation.duration";

    /// <summary>Time waited before a retry (for a 429: SailPoint's <c>Retry-After</c>); its count is the number of retries. Unit <c>s</c>.</summary>
    public const string RetryDelayInstrument = "sailpoint.client.retry.delay";

    /// <summary>Time a request waited for a permit of the client-side rate budget. Unit <c>s</c>.</summary>
    public const string RateLimitWaitInstrument = "sailpoint.client.rate_limiting.time_in_queue";

    /// <summary>The spec's operationId of the call (e.g. <c>createPotentialRoleExportAsync</c>).</summary>
    public const string OperationIdAttribute = "sailpoint.operation.id";

    /// <summary>HTTP method (semantic convention).</summary>
    public const string MethodAttribute = "http.request.method";

    /// <summary>HTTP status code of the response (semantic convention).</summary>
    public const string StatusCodeAttribute = "http.response.status_code";

    /// <summary>Why the call failed when there is no status code: the exception type or the failure kind (semantic convention).</summary>
    public const string ErrorTypeAttribute = "error.type";

    internal static readonly ActivitySource Source = new(ActivitySourceName);
}
