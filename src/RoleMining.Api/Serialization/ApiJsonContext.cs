using System.Text.Json;
using System.Text.Json.Serialization;
using RoleMining.Api.Exports;

namespace RoleMining.Api.Serialization;

/// <summary>
/// Source-generated JSON of the API's own resources: camelCase, nulls left out. SailPoint's models are written with
/// the client's settings (<see cref="RoleMining.SailPoint.Serialization.RoleMiningJson"/>), so they look as ISC sends them.
/// </summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ExportJobResource))]
[JsonSerializable(typeof(SessionExportResource))]
[JsonSerializable(typeof(ExportCallbackEnvelope))]
internal sealed partial class ApiJsonContext : JsonSerializerContext;
