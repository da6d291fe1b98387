using System.Globalization;
using System.Net;
using System.Text;

namespace RoleMining.SailPoint;

/// <summary>
/// The one exception type of this client. It carries the HTTP status and the ISC error details
/// (<c>ErrorResponseDto</c>) and names the operation that failed. It never carries a secret or a token.
/// </summary>
public sealed class SailPointException : Exception
{
    /// <summary>Creates an exception with a message only.</summary>
    public SailPointException()
        : this("A SailPoint operation failed.")
    {
    }

    /// <summary>Creates an exception with a message only.</summary>
    public SailPointException(string message)
        : this(message, null)
    {
    }

    /// <summary>Creates an exception with a message and an inner exception.</summary>
    public SailPointException(string message, Exception? innerException)
        : base(message, innerException)
    {
        OperationId = string.Empty;
        Messages = [];
        Causes = [];
    }

    /// <summary>Creates an exception for a failed operation.</summary>
    public SailPointException(SailPointErrorDetails details, Exception? innerException = null)
        : base(BuildMessage(details), innerException)
    {
        ArgumentNullException.ThrowIfNull(details);
        OperationId = details.OperationId;
        Kind = details.Kind;
        Status = details.Status;
        DetailCode = details.DetailCode;
        TrackingId = details.TrackingId;
        Messages = details.Messages ?? [];
        Causes = details.Causes ?? [];
        ResourceType = details.ResourceType;
        ResourceId = details.ResourceId;
        RetryAfter = details.RetryAfter;
        CircuitOpenedBy = details.CircuitOpenedBy;
        NotProcessed = details.NotProcessed;
    }

    /// <summary>The ISC operationId of the failed call (e.g. <c>getRoleMiningSession</c>).</summary>
    public string OperationId { get; }

    /// <summary>What kind of failure this is.</summary>
    public SailPointErrorKind Kind { get; }

    /// <summary>The HTTP status the service answered with; null when there was no answer.</summary>
    public HttpStatusCode? Status { get; }

    /// <summary>The status as a number, or 0 when there was no answer.</summary>
    public int StatusCode => Status is { } status ? (int)status : 0;

    /// <summary>Fine-grained ISC error code (<c>detailCode</c>).</summary>
    public string? DetailCode { get; }

    /// <summary>ISC tracking id, the value SailPoint support asks for.</summary>
    public string? TrackingId { get; }

    /// <summary>The localised messages of the error.</summary>
    public IReadOnlyList<SailPointErrorMessage> Messages { get; }

    /// <summary>Additional causes of the error.</summary>
    public IReadOnlyList<SailPointErrorMessage> Causes { get; }

    /// <summary>The kind of resource the operation addressed (e.g. <c>RoleMiningSession</c>, <c>PotentialRole</c>).</summary>
    public string? ResourceType { get; }

    /// <summary>The id of that resource.</summary>
    public string? ResourceId { get; }

    /// <summary>
    /// How long to wait before a call can go through, if known: what the service asked for with <c>Retry-After</c>, or,
    /// for <see cref="SailPointErrorKind.CircuitOpen"/> and <see cref="SailPointErrorKind.RateLimited"/>, what is left of
    /// the circuit's break or of the client's own rate limit.
    /// </summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>
    /// For <see cref="SailPointErrorKind.CircuitOpen"/>: the failure that opened the circuit (its status, <c>detailCode</c>
    /// and <c>trackingId</c>), which is what SailPoint support needs; null when it is not known.
    /// </summary>
    public SailPointErrorDetails? CircuitOpenedBy { get; }

    /// <summary>
    /// True when the service cannot have processed the request: no attempt got further than obtaining a token or a
    /// connection, or every answer said it was not processed (429, 401). Sending a non-idempotent request (starting an
    /// export) again is then safe. False says nothing either way.
    /// </summary>
    public bool NotProcessed { get; internal set; }

    /// <summary>True for 404: the addressed resource (<see cref="ResourceType"/>, <see cref="ResourceId"/>) does not exist.</summary>
    public bool IsNotFound => Status == HttpStatusCode.NotFound;

    /// <summary>True for 429 after the retry budget ran out.</summary>
    public bool IsRateLimited => Status == HttpStatusCode.TooManyRequests || Kind == SailPointErrorKind.RateLimited;

    private static string BuildMessage(SailPointErrorDetails details)
    {
        ArgumentNullException.ThrowIfNull(details);
        var text = new StringBuilder();
        text.Append("SailPoint operation '").Append(details.OperationId).Append('\'');
        if (details.ResourceType is not null)
        {
            text.Append(" on ").Append(details.ResourceType);
            if (details.ResourceId is not null)
            {
                text.Append(" '").Append(details.ResourceId).Append('\'');
            }
        }

        text.Append(details.Kind switch
        {
            SailPointErrorKind.Transport => " could not reach the service",
            SailPointErrorKind.Timeout => " timed out",
            SailPointErrorKind.CircuitOpen => " was not attempted: the circuit breaker is open after repeated failures of this tenant",
            SailPointErrorKind.RateLimited => " was refused by the client-side rate limiter",
            SailPointErrorKind.Authentication => " could not authenticate",
            SailPointErrorKind.InvalidResponse => " received a response this client cannot read",
            _ => " failed",
        });

        if (details.Status is { } status)
        {
            text.Append(CultureInfo.InvariantCulture, $" with HTTP {(int)status} ({status})");
        }

        if (details.Reason is not null)
        {
            text.Append(": ").Append(details.Reason);
        }

        if (details.DetailCode is not null)
        {
            text.Append(". ").Append(details.DetailCode);
        }

        var messages = details.Messages?
            .Select(message => message.Text)
            .Where(messageText => !string.IsNullOrWhiteSpace(messageText))
            .Take(3)
            .ToList();
        if (messages is { Count: > 0 })
        {
            text.Append(": ").AppendJoin("; ", messages);
        }

        if (details.TrackingId is not null)
        {
            text.Append(" (trackingId ").Append(details.TrackingId).Append(')');
        }

        text.Append('.');
        if (details.CircuitOpenedBy is { } cause)
        {
            text.Append(" The failure that opened it: ").Append(BuildMessage(cause));
        }

        return text.ToString();
    }
}

/// <summary>The facts a <see cref="SailPointException"/> is built from.</summary>
public sealed record SailPointErrorDetails
{
    /// <summary>The ISC operationId.</summary>
    public required string OperationId { get; init; }

    /// <summary>The kind of failure.</summary>
    public SailPointErrorKind Kind { get; init; }

    /// <summary>The HTTP status, if the service answered.</summary>
    public HttpStatusCode? Status { get; init; }

    /// <summary>A short reason in words, without secrets.</summary>
    public string? Reason { get; init; }

    /// <summary>ISC <c>detailCode</c>.</summary>
    public string? DetailCode { get; init; }

    /// <summary>ISC <c>trackingId</c>.</summary>
    public string? TrackingId { get; init; }

    /// <summary>ISC <c>messages</c>.</summary>
    public IReadOnlyList<SailPointErrorMessage>? Messages { get; init; }

    /// <summary>ISC <c>causes</c>.</summary>
    public IReadOnlyList<SailPointErrorMessage>? Causes { get; init; }

    /// <summary>The kind of resource addressed.</summary>
    public string? ResourceType { get; init; }

    /// <summary>The id of the resource addressed.</summary>
    public string? ResourceId { get; init; }

    /// <summary>How long to wait before a call can go through, if known (see <see cref="SailPointException.RetryAfter"/>).</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>For a circuit-open failure: the failure that opened the circuit.</summary>
    public SailPointErrorDetails? CircuitOpenedBy { get; init; }

    /// <summary>Whether the service cannot have processed the request (see <see cref="SailPointException.NotProcessed"/>).</summary>
    public bool NotProcessed { get; init; }
}
