using System.Text.Json;
using System.Text.Json.Serialization;
using RoleMining.SailPoint.Authentication;
using RoleMining.SailPoint.Errors;
using RoleMining.SailPoint.Models;

namespace RoleMining.SailPoint.Serialization;

/// <summary>
/// Source-generated serialization of every body this client reads or writes: no reflection at run time and the
/// fastest System.Text.Json path for large identity pages.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowReadingFromString,
    // Named here rather than by attributes on the public models: a source-generated context of another assembly cannot
    // use an internal converter its model names, and would then read nothing at all for that property.
    Converters = [typeof(TolerantInt32Converter), typeof(UtcDateTimeOffsetConverter), typeof(AttributeValuesConverter)])]
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
/// sends it (camelCase, nulls left out, enum values by their wire names and unknown ones read as <c>Unknown</c>,
/// <c>createdBy</c> in any of its forms). The converters are internal and named by attributes on the models, so
/// reflection-based serialization with other options keeps the enum and <c>createdBy</c> forms too; a source-generated
/// context of another assembly cannot name them, so serialize the models with these options there.
/// </summary>
public static class RoleMiningJson
{
    /// <summary>camelCase names, nulls left out, the client's converters; read-only.</summary>
    public static JsonSerializerOptions Options => RoleMiningJsonContext.Default.Options;
}
