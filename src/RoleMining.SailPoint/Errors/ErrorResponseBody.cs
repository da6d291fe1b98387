using System.Text.Json;

namespace RoleMining.SailPoint.Errors;

/// <summary>
/// The error bodies ISC sends: <c>ErrorResponseDto</c> (detailCode, trackingId, messages, causes), the 429 body
/// <c>{"message": ...}</c> and the OAuth/gateway body <c>{"error": ..., "error_description": ...}</c>. One record reads
/// all of them; <c>error</c> may be a string or an object, so it stays raw.
/// </summary>
internal sealed record ErrorResponseBody
{
    public string? DetailCode { get; init; }

    public string? TrackingId { get; init; }

    public List<SailPointErrorMessage>? Messages { get; init; }

    public List<SailPointErrorMessage>? Causes { get; init; }

    public string? Message { get; init; }

    public JsonElement? Error { get; init; }

    [System.Text.Json.Serialization.JsonPropertyName("error_description")]
    public string? ErrorDescription { get; init; }
}
