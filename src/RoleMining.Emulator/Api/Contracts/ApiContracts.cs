using System.Text.Json;
using System.Text.Json.Serialization;

namespace RoleMining.Emulator.Api.Contracts;

// The JSON shapes of the spec's schemas, property for property and in the spec's order; every property the schema
// declares is written (null where nullable), none that it does not.

/// <summary><c>RoleMiningSessionScope</c>.</summary>
internal sealed record SessionScopeDto(IReadOnlyList<string> IdentityIds, string? Criteria, IReadOnlyList<JsonElement>? AttributeFilterCriteria);

/// <summary><c>RoleMiningSessionStatus</c>.</summary>
internal sealed record SessionStatusDto(string State);

/// <summary><c>EntityCreatedByDTO</c>.</summary>
internal sealed record CreatedByDto(string Id, string DisplayName);

/// <summary><c>RoleMiningSessionResponse</c> (also the list items: see the README's deviations).</summary>
internal sealed record SessionResponseDto(
    SessionScopeDto Scope,
    int? MinNumIdentitiesInPotentialRole,
    string? ScopingMethod,
    int? PrescribedPruneThreshold,
    int? PruneThreshold,
    int PotentialRoleCount,
    int PotentialRolesReadyCount,
    SessionStatusDto Status,
    string? EmailRecipientId,
    CreatedByDto? CreatedBy,
    int IdentityCount,
    bool Saved,
    string? Name,
    string? DataFilePath,
    string Id,
    DateTime CreatedDate,
    DateTime ModifiedDate,
    string Type);

/// <summary><c>RoleMiningPotentialRoleRef</c>.</summary>
internal sealed record PotentialRoleRefDto(string Id, string Name);

/// <summary><c>RoleMiningSessionParametersDto</c>.</summary>
internal sealed record SessionParametersDto(
    string Id,
    string? Name,
    int? MinNumIdentitiesInPotentialRole,
    int? PruneThreshold,
    bool Saved,
    SessionScopeDto Scope,
    string Type,
    string State,
    string ScopingMethod);

/// <summary><c>RoleMiningPotentialRoleSummary</c>.</summary>
internal sealed record PotentialRoleSummaryDto(
    string Id,
    string Name,
    PotentialRoleRefDto PotentialRoleRef,
    int IdentityCount,
    int EntitlementCount,
    string IdentityGroupStatus,
    string? ProvisionState,
    string? RoleId,
    int Density,
    int Freshness,
    int Quality,
    string Type,
    CreatedByDto? CreatedBy,
    DateTime CreatedDate,
    bool Saved,
    string? Description,
    SessionParametersDto Session);

/// <summary>An entry of <c>RoleMiningIdentityDistribution.distribution</c>.</summary>
internal sealed record DistributionEntryDto(string? AttributeValue, int Count);

/// <summary><c>RoleMiningIdentityDistribution</c>.</summary>
internal sealed record IdentityDistributionDto(string AttributeName, IReadOnlyList<DistributionEntryDto> Distribution);

/// <summary><c>RoleMiningPotentialRole</c>. <see cref="IdentityIds"/> is enumerated while it is written.</summary>
internal sealed record PotentialRoleDto(
    CreatedByDto? CreatedBy,
    int Density,
    string? Description,
    int EntitlementCount,
    IReadOnlyList<string>? ExcludedEntitlements,
    int Freshness,
    int IdentityCount,
    IReadOnlyList<IdentityDistributionDto>? IdentityDistribution,
    IEnumerable<string> IdentityIds,
    string? IdentityGroupStatus,
    string Name,
    PotentialRoleRefDto? PotentialRoleRef,
    string? ProvisionState,
    int Quality,
    string? RoleId,
    bool Saved,
    SessionParametersDto Session,
    string Type,
    string Id,
    DateTime CreatedDate,
    DateTime ModifiedDate);

/// <summary><c>RoleMiningIdentity</c>.</summary>
internal sealed record IdentityDto(string Id, string Name, IdentityAttributes Attributes);

/// <summary>An identity's <c>attributes</c> object, written straight from the tenant's name and value lists (no
/// dictionary per identity: the identities endpoint is the emulator's hot path).</summary>
[JsonConverter(typeof(IdentityAttributesConverter))]
internal sealed record IdentityAttributes(IReadOnlyList<string> Names, IReadOnlyList<string> Values);

internal sealed class IdentityAttributesConverter : JsonConverter<IdentityAttributes>
{
    public override IdentityAttributes Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw new NotSupportedException("The emulator only writes identities.");

    public override void Write(Utf8JsonWriter writer, IdentityAttributes value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        for (var i = 0; i < value.Names.Count; i++)
        {
            writer.WriteString(value.Names[i], value.Values[i]);
        }

        writer.WriteEndObject();
    }
}

/// <summary><c>RoleMiningEntitlementRef</c>.</summary>
internal sealed record EntitlementRefDto(string Id, string Name, string? Description, string Attribute);

/// <summary><c>RoleMiningEntitlement</c>.</summary>
internal sealed record EntitlementDto(
    EntitlementRefDto EntitlementRef,
    string Name,
    string ApplicationName,
    int IdentityCount,
    double Popularity,
    double PopularityInOrg,
    string SourceId,
    string? ActivitySourceState,
    double? SourceUsagePercent);

/// <summary><c>RoleMiningPotentialRoleExportRequest</c>; both properties are optional.</summary>
internal sealed record ExportRequestDto(int? MinEntitlementPopularity, bool? IncludeCommonAccess);

/// <summary><c>RoleMiningPotentialRoleExportResponse</c>.</summary>
internal sealed record ExportResponseDto(string ExportId, string Status, int MinEntitlementPopularity, bool IncludeCommonAccess);

/// <summary><c>ErrorMessageDto</c>.</summary>
internal sealed record ErrorMessageDto(string? Locale, string? LocaleOrigin, string Text);

/// <summary><c>ErrorResponseDto</c>.</summary>
internal sealed record ErrorResponseDto(string DetailCode, string TrackingId, IReadOnlyList<ErrorMessageDto> Messages, IReadOnlyList<ErrorMessageDto> Causes);

/// <summary>The <c>{"error": "..."}</c> body of 401 responses.</summary>
internal sealed record AuthErrorDto(string Error);

/// <summary>An OAuth 2.0 error response (RFC 6749 section 5.2).</summary>
internal sealed record OAuthErrorDto(
    [property: JsonPropertyName("error")] string Error,
    [property: JsonPropertyName("error_description")] string ErrorDescription);

/// <summary>The token response of <c>POST /oauth/token</c>, with the extra fields ISC sends.</summary>
internal sealed record TokenResponseDto(
    [property: JsonPropertyName("access_token")] string AccessToken,
    [property: JsonPropertyName("token_type")] string TokenType,
    [property: JsonPropertyName("expires_in")] long ExpiresIn,
    [property: JsonPropertyName("scope")] string Scope,
    [property: JsonPropertyName("tenant_id")] string TenantId,
    [property: JsonPropertyName("internal")] bool Internal,
    [property: JsonPropertyName("pod")] string Pod,
    [property: JsonPropertyName("strong_auth_supported")] bool StrongAuthSupported,
    [property: JsonPropertyName("org")] string Org,
    [property: JsonPropertyName("claims_supported")] bool ClaimsSupported,
    [property: JsonPropertyName("strong_auth")] bool StrongAuth,
    [property: JsonPropertyName("jti")] string Jti);

/// <summary>Source-generated serialisation of every contract (camelCase, nulls written).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(SessionResponseDto))]
[JsonSerializable(typeof(IReadOnlyList<SessionResponseDto>))]
[JsonSerializable(typeof(SessionStatusDto))]
[JsonSerializable(typeof(PotentialRoleSummaryDto))]
[JsonSerializable(typeof(IReadOnlyList<PotentialRoleSummaryDto>))]
[JsonSerializable(typeof(PotentialRoleDto))]
[JsonSerializable(typeof(IReadOnlyList<IdentityDto>))]
[JsonSerializable(typeof(IReadOnlyList<EntitlementDto>))]
[JsonSerializable(typeof(ExportRequestDto))]
[JsonSerializable(typeof(ExportResponseDto))]
[JsonSerializable(typeof(ErrorResponseDto))]
[JsonSerializable(typeof(AuthErrorDto))]
[JsonSerializable(typeof(OAuthErrorDto))]
[JsonSerializable(typeof(TokenResponseDto))]
internal sealed partial class EmulatorJsonContext : JsonSerializerContext;

/// <summary>The serializer context the emulator writes with. Like ISC (and Jackson), it does not escape HTML-sensitive
/// characters such as <c>'</c> or <c>&amp;</c>: responses are <c>application/json</c>, never embedded in HTML.</summary>
internal static class EmulatorJson
{
    public static EmulatorJsonContext Context { get; } = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
