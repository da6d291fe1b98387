using Polly;
using Polly.Timeout;
using RoleMining.SailPoint.Authentication;
using RoleMining.SailPoint.Errors;
using RoleMining.SailPoint.Http;

namespace RoleMining.SailPoint.Resilience;

/// <summary>
/// Remembers the failure that last opened the circuit breaker, so that a call refused while the circuit is open can name
/// the SailPoint error behind it (status, <c>detailCode</c>, <c>trackingId</c>) instead of only "the circuit is open".
/// Polly's <c>BrokenCircuitException</c> carries no response, so the breaker's <c>OnOpened</c> callback records it here.
/// </summary>
internal sealed class CircuitOpenCause
{
    private SailPointErrorDetails? _openedBy;

    /// <summary>The failure that opened the circuit most recently; null before it ever opened.</summary>
    public SailPointErrorDetails? OpenedBy => Volatile.Read(ref _openedBy);

    /// <summary>Records the outcome that opened the circuit (an error response, whose body is buffered, or an exception).</summary>
    public void Record(Outcome<HttpResponseMessage> outcome, RoleMiningOperation? operation)
    {
        var operationId = operation?.OperationId ?? "unknown";
        SailPointErrorDetails details;
        if (outcome.Result is { } response)
        {
            details = ErrorResponseReader.ToDetails(operationId, response.StatusCode, ErrorResponseReader.TryParseBuffered(response), retryAfter: null);
        }
        else
        {
            var exception = outcome.Exception;
            details = new SailPointErrorDetails
            {
                OperationId = operationId,
                Kind = exception is TimeoutRejectedException or OperationCanceledException ? SailPointErrorKind.Timeout : SailPointErrorKind.Transport,
                Status = (exception as TokenRequestException)?.Status,
                Reason = exception is null ? null : $"{exception.GetType().Name}: {exception.Message}",
            };
        }

        Volatile.Write(ref _openedBy, details with { ResourceType = operation?.ResourceType, ResourceId = operation?.ResourceId });
    }
}
