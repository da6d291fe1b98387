using System.Collections.Frozen;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace RoleMining.SailPoint.Serialization;

/// <summary>
/// Reads an enum from its wire name (<see cref="JsonStringEnumMemberNameAttribute"/>) and maps any value it does not
/// know to the member named <c>Unknown</c>, because ISC adds enum values without notice and a new value must not
/// break a whole page. <see cref="JsonStringEnumConverter"/> throws on unknown values, hence this converter.
/// </summary>
/// <typeparam name="TEnum">An enum with an <c>Unknown</c> member whose value is 0.</typeparam>
internal sealed class TolerantEnumConverter<TEnum> : JsonConverter<TEnum>
    where TEnum : struct, Enum
{
    private static readonly FrozenDictionary<string, TEnum> ByWireName = BuildReadMap();
    private static readonly FrozenDictionary<TEnum, string> ToWireName = BuildWriteMap();

    public override TEnum Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            // A number or any other token is as unknown to us as a new name.
            SkipValue(ref reader);
            return default;
        }

        var text = reader.GetString();
        return text is not null && ByWireName.TryGetValue(text, out var value) ? value : default;
    }

    public override void Write(Utf8JsonWriter writer, TEnum value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (ToWireName.TryGetValue(value, out var name))
        {
            writer.WriteStringValue(name);
        }
        else
        {
            writer.WriteNullValue();
        }
    }

    // The serializer hands a custom converter the whole value, but from a reader that is not marked final (async
    // reads), where Skip() throws; TrySkip() works on the buffered value.
    private static void SkipValue(ref Utf8JsonReader reader)
    {
        if (!reader.TrySkip())
        {
            throw new JsonException("Incomplete JSON value.");
        }
    }

    private static FrozenDictionary<string, TEnum> BuildReadMap()
    {
        var map = new Dictionary<string, TEnum>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in WireNames())
        {
            map[name] = value;
        }

        return map.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
    }

    private static FrozenDictionary<TEnum, string> BuildWriteMap() =>
        WireNames().ToFrozenDictionary(pair => pair.Value, pair => pair.Name);

    private static IEnumerable<(string Name, TEnum Value)> WireNames()
    {
        foreach (var field in typeof(TEnum).GetFields(BindingFlags.Public | BindingFlags.Static))
        {
            var wireName = field.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name;
            if (wireName is not null)
            {
                yield return (wireName, (TEnum)field.GetValue(null)!);
            }
        }
    }
}
