using System.Text.Json;
using System.Text.Json.Serialization;
using RoleMining.SailPoint.Models;

namespace RoleMining.SailPoint.Serialization;

/// <summary>
/// <c>createdBy</c> is declared as <c>oneOf: [EntityCreatedByDTO, NullableEntityCreatedByDTO]</c>, i.e. an object,
/// <c>null</c> or a bare string. The default serializer accepts only the object form, so this reads all three.
/// </summary>
internal sealed class EntityCreatedByConverter : JsonConverter<EntityCreatedBy>
{
    public override EntityCreatedBy? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.String:
                return new EntityCreatedBy { DisplayName = reader.GetString() };
            case JsonTokenType.StartObject:
                string? id = null;
                string? displayName = null;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
                {
                    var property = reader.GetString();
                    reader.Read();
                    if (string.Equals(property, "id", StringComparison.Ordinal))
                    {
                        id = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                    }
                    else if (string.Equals(property, "displayName", StringComparison.Ordinal))
                    {
                        displayName = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                    }

                    SkipValue(ref reader);
                }

                return new EntityCreatedBy { Id = id, DisplayName = displayName };
            default:
                SkipValue(ref reader);
                return null;
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

    public override void Write(Utf8JsonWriter writer, EntityCreatedBy value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WriteString("id", value.Id);
        writer.WriteString("displayName", value.DisplayName);
        writer.WriteEndObject();
    }
}
