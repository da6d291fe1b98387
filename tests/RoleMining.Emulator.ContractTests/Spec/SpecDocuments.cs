using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace RoleMining.Emulator.ContractTests.Spec;

/// <summary>
/// Loads spec files once each and follows <c>$ref</c>s across them: a relative file path, a
/// <c>#/json/pointer</c> inside the current file, or both (<c>../schemas/X.yaml#/properties/id</c>).
/// </summary>
public sealed class SpecDocuments
{
    private readonly ConcurrentDictionary<string, JsonNode?> files = new(StringComparer.Ordinal);

    public SpecNode Load(string path)
    {
        var fullPath = Path.GetFullPath(path);
        return new SpecNode(files.GetOrAdd(fullPath, YamlJsonConverter.LoadFile), fullPath, string.Empty);
    }

    /// <summary>Resolves one <c>$ref</c> string written in <paramref name="baseFile"/>.</summary>
    public SpecNode ResolveReference(string reference, string baseFile)
    {
        var hash = reference.IndexOf('#', StringComparison.Ordinal);
        var filePart = hash < 0 ? reference : reference[..hash];
        var pointer = hash < 0 ? string.Empty : reference[(hash + 1)..];
        var target = filePart.Length == 0 ? baseFile : Path.Combine(Path.GetDirectoryName(baseFile)!, filePart);
        if (!File.Exists(target))
        {
            throw new InvalidOperationException($"$ref '{reference}' in {baseFile} points at a missing file.");
        }

        return Navigate(Load(target), pointer, reference);
    }

    /// <summary>Follows <c>$ref</c> chains until a node without <c>$ref</c>; siblings of <c>$ref</c> are not merged.</summary>
    public SpecNode Dereference(SpecNode node)
    {
        for (var hops = 0; node.GetString("$ref") is { } reference; hops++)
        {
            if (hops > 32)
            {
                throw new InvalidOperationException($"$ref chain from {node.DisplayName} does not end.");
            }

            node = ResolveReference(reference, node.File);
        }

        return node;
    }

    private static SpecNode Navigate(SpecNode document, string pointer, string reference)
    {
        var current = document;
        foreach (var token in pointer.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var name = token.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            current = current.Node is JsonArray && int.TryParse(name, System.Globalization.CultureInfo.InvariantCulture, out var index)
                ? current.Item(index)
                : current.Child(name);
            if (current.Node is null)
            {
                throw new InvalidOperationException($"$ref '{reference}': nothing at '{pointer}' in {document.File}.");
            }
        }

        return current;
    }
}
