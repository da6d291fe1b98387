using System.Text.Json.Nodes;

namespace RoleMining.Emulator.ContractTests.Spec;

/// <summary>
/// A node of a spec file together with where it lives, so that the <c>$ref</c>s inside it resolve
/// relative to the right file.
/// </summary>
/// <param name="Node">The YAML content as JSON.</param>
/// <param name="File">Full path of the file the node was read from.</param>
/// <param name="JsonPointer">JSON pointer of the node inside that file (empty for the whole file).</param>
public sealed record SpecNode(JsonNode? Node, string File, string JsonPointer)
{
    public JsonObject? AsObject => Node as JsonObject;

    /// <summary>Short readable name: the file name, plus the pointer when the node is not the whole file.</summary>
    public string DisplayName => JsonPointer.Length == 0
        ? Path.GetFileName(File)
        : $"{Path.GetFileName(File)}#{JsonPointer}";

    /// <summary>
    /// The schema name when this node is a whole schema file (<c>RoleMiningSessionDto.yaml</c> gives
    /// <c>RoleMiningSessionDto</c>); null for inline schemas.
    /// </summary>
    public string? SchemaFileName => JsonPointer.Length == 0 ? Path.GetFileNameWithoutExtension(File) : null;

    public SpecNode Child(string name)
    {
        var child = AsObject is { } obj && obj.TryGetPropertyValue(name, out var value) ? value : null;
        return new SpecNode(child, File, $"{JsonPointer}/{EscapePointerToken(name)}");
    }

    public SpecNode Item(int index) =>
        new((Node as JsonArray)?[index], File, $"{JsonPointer}/{index.ToString(System.Globalization.CultureInfo.InvariantCulture)}");

    public IEnumerable<SpecNode> Items() => Node is JsonArray array
        ? Enumerable.Range(0, array.Count).Select(Item)
        : [];

    public IEnumerable<(string Name, SpecNode Value)> Properties() => AsObject is { } obj
        ? obj.Select(pair => (pair.Key, Child(pair.Key)))
        : [];

    public string? GetString(string name) =>
        AsObject is { } obj && obj.TryGetPropertyValue(name, out var value) && value is JsonValue v && v.TryGetValue<string>(out var text)
            ? text
            : null;

    public bool GetBoolean(string name) =>
        AsObject is { } obj && obj.TryGetPropertyValue(name, out var value) && value is JsonValue v && v.TryGetValue<bool>(out var flag) && flag;

    public bool Has(string name) => AsObject?.ContainsKey(name) == true;

    private static string EscapePointerToken(string token) => token.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);
}
