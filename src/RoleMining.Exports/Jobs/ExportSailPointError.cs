using System.Net;
using RoleMining.SailPoint;

namespace RoleMining.Exports;

/// <summary>
/// The SailPoint error behind a failed attempt or a failed job, as SailPoint support asks for it: the operation, the HTTP
/// status, <c>detailCode</c> and <c>trackingId</c>. When the call itself was refused by the client's open circuit
/// breaker, this is the failure that opened the circuit (<see cref="ViaOpenCircuit"/>), not the refusal.
/// </summary>
public sealed record ExportSailPointError
{
    /// <summary>The ISC operationId that failed (e.g. <c>exportRoleMiningPotentialRoleAsync</c>).</summary>
    public required string OperationId { get; init; }

    /// <summary>What kind of failure it was (an error answer, a broken connection, a timeout, ...).</summary>
    public SailPointErrorKind Kind { get; init; }

    /// <summary>The HTTP status SailPoint answered with; null when there was no answer.</summary>
    public int? Status { get; init; }

    /// <summary>ISC's <c>detailCode</c>.</summary>
    public string? DetailCode { get; init; }

    /// <summary>ISC's <c>trackingId</c>.</summary>
    public string? TrackingId { get; init; }

    /// <summary>The error in words (never a secret).</summary>
    public string? Message { get; init; }

    /// <summary>True when the step's own call was not made because the circuit was open; the rest describes what opened it.</summary>
    public bool ViaOpenCircuit { get; init; }

    /// <summary>The SailPoint error <paramref name="exception"/> reports, if it is one; null for any other failure.</summary>
    public static ExportSailPointError? From(Exception? exception) => exception switch
    {
        SailPointException { Kind: SailPointErrorKind.CircuitOpen, CircuitOpenedBy: { } cause } => Create(
            cause.OperationId, cause.Kind, cause.Status, cause.DetailCode, cause.TrackingId, cause.Messages, cause.Reason, viaOpenCircuit: true),
        SailPointException failure => Create(
            failure.OperationId, failure.Kind, failure.Status, failure.DetailCode, failure.TrackingId, failure.Messages, failure.Message, viaOpenCircuit: false),
        _ => null,
    };

    private static ExportSailPointError Create(
        string operationId,
        SailPointErrorKind kind,
        HttpStatusCode? status,
        string? detailCode,
        string? trackingId,
        IReadOnlyList<SailPointErrorMessage>? messages,
        string? fallbackMessage,
        bool viaOpenCircuit) => new()
    {
        OperationId = operationId,
        Kind = kind,
        Status = status is { } answered ? (int)answered : null,
        DetailCode = detailCode,
        TrackingId = trackingId,
        Message = messages?.FirstOrDefault(message => !string.IsNullOrWhiteSpace(message.Text))?.Text ?? fallbackMessage,
        ViaOpenCircuit = viaOpenCircuit,
    };
}
