using System.Text.Json;
using System.Text.Json.Serialization;

namespace RoleMining.Exports;

/// <summary>
/// JSON of job documents, messages and manifests: camelCase, enums as strings, nulls left out, indented so that a
/// person can read the files. Source-generated: no reflection at run time.
/// </summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    UseStringEnumConverter = true,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ExportJob))]
[JsonSerializable(typeof(ExportMessage))]
[JsonSerializable(typeof(ExportManifest))]
public sealed partial class ExportsJsonContext : JsonSerializerContext;

/// <summary>Reads and writes the JSON forms that adapters store or send.</summary>
public static class ExportsJson
{
    /// <summary>A message as the body of a queue message.</summary>
    public static string SerializeMessage(ExportMessage message) => JsonSerializer.Serialize(message, ExportsJsonContext.Default.ExportMessage);

    /// <summary>A message from the body of a queue message.</summary>
    /// <exception cref="JsonException">The body is not an export message.</exception>
    public static ExportMessage DeserializeMessage(string json) =>
        JsonSerializer.Deserialize(json, ExportsJsonContext.Default.ExportMessage) ?? throw new JsonException("The queue message is empty.");

    /// <summary>A job document.</summary>
    public static byte[] SerializeJob(ExportJob job) => JsonSerializer.SerializeToUtf8Bytes(job, ExportsJsonContext.Default.ExportJob);

    /// <summary>A job from its document.</summary>
    public static ExportJob DeserializeJob(ReadOnlySpan<byte> json) =>
        JsonSerializer.Deserialize(json, ExportsJsonContext.Default.ExportJob) ?? throw new JsonException("The job document is empty.");

    /// <summary>A manifest document.</summary>
    public static byte[] SerializeManifest(ExportManifest manifest) => JsonSerializer.SerializeToUtf8Bytes(manifest, ExportsJsonContext.Default.ExportManifest);

    /// <summary>A manifest from its document.</summary>
    public static async Task<ExportManifest> DeserializeManifestAsync(Stream json, CancellationToken cancellationToken = default) =>
        await JsonSerializer.DeserializeAsync(json, ExportsJsonContext.Default.ExportManifest, cancellationToken).ConfigureAwait(false)
        ?? throw new JsonException("The manifest is empty.");
}
