using System.Text.Json.Serialization;

namespace RoleMining.SailPoint.Authentication;

/// <summary>The body of a successful <c>/oauth/token</c> answer (RFC 6749 §5.1).</summary>
internal sealed record TokenResponse
{
    [JsonPropertyName("access_token")]
    public string? AccessToken { get; init; }

    [JsonPropertyName("token_type")]
    public string? TokenType { get; init; }

    [JsonPropertyName("expires_in")]
    public double? ExpiresIn { get; init; }

    /// <summary>Never shows the token.</summary>
    public override string ToString() => $"TokenResponse {{ TokenType = {TokenType}, ExpiresIn = {ExpiresIn} }}";
}
