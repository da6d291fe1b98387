using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;

namespace RoleMining.SailPoint.Diagnostics;

/// <summary>
/// The client's instruments (names in <see cref="SailPointTelemetry"/>): requests by operation and status, operation
/// duration, retry delays (429 waits among them) and time spent waiting for the rate budget. One per registration,
/// created from the host's <see cref="IMeterFactory"/>; without one (<see cref="RoleMiningClient.Create"/>) it owns a meter.
/// </summary>
internal sealed class SailPointMetrics : IDisposable
{
    private readonly Meter? _ownedMeter;
    private readonly Counter<long> _requests;
    private readonly Histogram<double> _operationDuration;
    private readonly Histogram<double> _retryDelay;
    private readonly Histogram<double> _rateLimitWait;

    /// <summary>Creates the instruments on a meter of <paramref name="meterFactory"/>, or on an own meter when it is null.</summary>
    public SailPointMetrics(IMeterFactory? meterFactory = null)
    {
        var meter = meterFactory?.Create(SailPointTelemetry.MeterName) ?? (_ownedMeter = new Meter(SailPointTelemetry.MeterName));
        _requests = meter.CreateCounter<long>(SailPointTelemetry.RequestsInstrument, "{request}",
            "HTTP requests sent to SailPoint, one per attempt, by operation and status.");
        _operationDuration = meter.CreateHistogram(SailPointTelemetry.OperationDurationInstrument, "s",
            "Duration of SailPoint operations, retries and waits included.", advice: DurationAdvice);
        _retryDelay = meter.CreateHistogram(SailPointTelemetry.RetryDelayInstrument, "s",
            "Time waited before retrying a SailPoint request (Retry-After for a 429); the count is the number of retries.", advice: DurationAdvice);
        _rateLimitWait = meter.CreateHistogram(SailPointTelemetry.RateLimitWaitInstrument, "s",
            "Time a SailPoint request waited for a permit of the client-side rate budget.", advice: DurationAdvice);
    }

    // Waits run from milliseconds (a free permit) to minutes (a long Retry-After), operations to the total timeout.
    private static InstrumentAdvice<double> DurationAdvice { get; } = new()
    {
        HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    };

    internal void RecordRequest(string operationId, string method, int? statusCode, string? errorType)
    {
        var tags = new TagList
        {
            { SailPointTelemetry.OperationIdAttribute, operationId },
            { SailPointTelemetry.MethodAttribute, method },
        };
        AddOutcome(ref tags, statusCode, errorType);
        _requests.Add(1, tags);
    }

    internal void RecordOperation(string operationId, double seconds, int? statusCode, string? errorType)
    {
        var tags = new TagList { { SailPointTelemetry.OperationIdAttribute, operationId } };
        AddOutcome(ref tags, statusCode, errorType);
        _operationDuration.Record(seconds, tags);
    }

    internal void RecordRetryDelay(string operationId, double seconds, int? statusCode, string? errorType)
    {
        var tags = new TagList { { SailPointTelemetry.OperationIdAttribute, operationId } };
        AddOutcome(ref tags, statusCode, errorType);
        _retryDelay.Record(seconds, tags);
    }

    internal void RecordRateLimitWait(string operationId, double seconds) =>
        _rateLimitWait.Record(seconds, new KeyValuePair<string, object?>(SailPointTelemetry.OperationIdAttribute, operationId));

    /// <inheritdoc />
    public void Dispose() => _ownedMeter?.Dispose();

    // A status code is the outcome; an error without one is named by error.type, and an HTTP error status is repeated
    // there as text, as the semantic conventions do for HTTP clients.
    private static void AddOutcome(ref TagList tags, int? statusCode, string? errorType)
    {
        if (statusCode is { } status)
        {
            tags.Add(SailPointTelemetry.StatusCodeAttribute, status);
            if (status >= 400)
            {
                tags.Add(SailPointTelemetry.ErrorTypeAttribute, status.ToString(CultureInfo.InvariantCulture));
            }
        }
        else if (errorType is not null)
        {
            tags.Add(SailPointTelemetry.ErrorTypeAttribute, errorType);
        }
    }
}
