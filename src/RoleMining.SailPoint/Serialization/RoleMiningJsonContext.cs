using System.Text.Json;
using System.Text.Json.Serialization;
using RoleMining.SailPoint.Authentication;
using RoleMining.SailPoint.Errors;
using RoleMining.SailPoint.Models;

namespace RoleMining.SailPoint.Serialization;

/// <summary>
/// Source-generated serialization of every body this client reads or writes: no reflection at run time and the
/// fastest System.Text.Json path for large identity pages. The converters are registered here rather than by attributes
/// on the models, so that they stay internal: <see cref="RoleMiningJson"/> is the one public way to the wire format.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowReadingFromString,
    Converters =
    [
        typeof(EntityCreatedByConverter),
        typeof(TolerantEnumConverter<RoleMiningSessionState>),
        typeof(TolerantEnumConverter<PotentialRoleExportState>),
        typeof(TolerantEnumConverter<PotentialRoleProvisionState>),
        typeof(TolerantEnumConverter<RoleMiningRoleType>),
        typeof(TolerantEnumConverter<RoleMiningSessionScopingMethod>),
    ])]
[JsonSerializable(typeof(RoleMiningSession))]
[JsonSerializable(typeof(List<RoleMiningSession>))]
[JsonSerializable(typeof(RoleMiningSessionStatus))]
[JsonSerializable(typeof(PotentialRoleSummary))]
[JsonSerializable(typeof(List<PotentialRoleSummary>))]
[JsonSerializable(typeof(PotentialRole))]
[JsonSerializable(typeof(RoleMiningIdentity))]
[JsonSerializable(typeof(List<RoleMiningIdentity>))]
[JsonSerializable(typeof(RoleMiningEntitlement))]
[JsonSerializable(typeof(List<RoleMiningEntitlement>))]
[JsonSerializable(typeof(PotentialRoleExportRequest))]
[JsonSerializable(typeof(PotentialRoleExport))]
[JsonSerializable(typeof(ErrorResponseBody))]
[JsonSerializable(typeof(TokenResponse))]
internal sealed partial class RoleMiningJsonContext : JsonSerializerContext;

/// <summary>
/// The wire format of the role-mining models: serialize or deserialize a model with these options to get JSON as ISC
/// sends it (wire names of enum values, unknown values read as <c>Unknown</c>, <c>createdBy</c> in any of its forms).
/// The models carry no converter attributes, so other serializer settings give a different shape.
/// </summary>
public static class RoleMiningJson
{
    /// <summary>camelCase names, nulls left out, the client's converters; read-only.</summary>
    public static JsonSerializerOptions Options => RoleMiningJsonContext.Default.Options;
}
