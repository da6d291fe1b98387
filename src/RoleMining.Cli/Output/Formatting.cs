using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Reflection;
using System.Text.Json.Serialization;

namespace RoleMining.Cli.Output;

/// <summary>How values appear in tables and CSV: invariant culture, ISO 8601 UTC times, the API's enum names.</summary>
internal static class Formatting
{
    private static readonly ConcurrentDictionary<(Type, object), string> WireNames = new();

    public static string? Number(int? value) => value?.ToString(CultureInfo.InvariantCulture);

    public static string? Number(double? value) => value?.ToString(CultureInfo.InvariantCulture);

    public static string? Boolean(bool? value) => value switch
    {
        true => "true",
        false => "false",
        null => null,
    };

    public static string? Time(DateTimeOffset? value) =>
        value?.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>The name SailPoint uses for an enum value (e.g. <c>POTENTIAL_ROLES_CREATED</c>).</summary>
    public static string? Enum<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicFields)] TEnum>(TEnum? value)
        where TEnum : struct, System.Enum =>
        value is { } known ? WireNames.GetOrAdd((typeof(TEnum), known), static key => WireName<TEnum>((TEnum)key.Item2)) : null;

    private static string WireName<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicFields)] TEnum>(TEnum value)
        where TEnum : struct, System.Enum
    {
        var name = System.Enum.GetName(value);
        var field = name is null ? null : typeof(TEnum).GetField(name, BindingFlags.Public | BindingFlags.Static);
        return field?.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name ?? name?.ToUpperInvariant() ?? value.ToString();
    }
}
