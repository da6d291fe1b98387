using System.Collections;
using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using Microsoft.Extensions.Configuration;
using RoleMining.Exports;

namespace RoleMining.Cli.Configuration;

/// <summary>
/// Checks that each bound setting has the JSON shape its options class expects. The configuration binder silently skips a
/// value of the wrong shape (<c>"AllowedHosts": "abc"</c> binds as no hosts, <c>"SessionIds": [{ "id": "abc" }]</c> as no
/// sessions, so a sweep would export every session), so
/// this walks the options types and names the first key whose shape is wrong. Hand-written: the binder offers no such
/// check (<c>ErrorOnUnknownConfiguration</c> reports unknown keys, not a scalar where a list or an object belongs).
/// </summary>
/// <remarks>
/// The walk reads the public properties and interfaces of the options types by reflection. The Native AOT executable keeps
/// them: the assemblies that declare options types are trimmer roots (<c>TrimmerRootAssembly</c> in RoleMining.Cli.csproj),
/// which is why the trim warnings of the walk are suppressed here.
/// </remarks>
internal static class ConfigurationShape
{
    private const string RootedJustification = "Options types are declared in assemblies kept whole by TrimmerRootAssembly (RoleMining.Cli.csproj).";

    /// <summary>What the binder converts from one string, besides strings, primitives and enums. A list of types, not
    /// <c>TypeDescriptor.GetConverter</c>, which is not trim-safe: the types the configuration binder's source generator
    /// parses.</summary>
    private static readonly FrozenSet<Type> ParsedTypes =
    [
        typeof(decimal), typeof(TimeSpan), typeof(DateTime), typeof(DateTimeOffset), typeof(DateOnly), typeof(TimeOnly),
        typeof(Guid), typeof(Uri), typeof(Version), typeof(System.Globalization.CultureInfo), typeof(Half), typeof(Int128),
        typeof(UInt128), typeof(byte[]),
    ];

    /// <summary>The first problem with <paramref name="section"/> bound as <paramref name="type"/>, or null.</summary>
    public static string? FindProblem(IConfigurationSection section, Type type) => FindProblem(section, type, delimitedList: false);

    /// <summary>
    /// As above; <paramref name="delimitedList"/>: the list may be written as one value too (<see cref="DelimitedListAttribute"/>,
    /// e.g. <c>RoleMining:Sweep:SessionIds</c>), so only its items are checked.
    /// </summary>
    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = RootedJustification)]
    [UnconditionalSuppressMessage("Trimming", "IL2072", Justification = RootedJustification)]
    private static string? FindProblem(IConfigurationSection section, Type type, bool delimitedList)
    {
        ArgumentNullException.ThrowIfNull(section);
        ArgumentNullException.ThrowIfNull(type);
        var hasValue = section.Value is not null && !delimitedList;
        var children = section.GetChildren().ToList();
        if (!hasValue && children.Count == 0)
        {
            return null;
        }

        if (IsScalar(type))
        {
            return children.Count > 0 ? $"{section.Path} must be a single value, not an object or a list." : null;
        }

        if (DictionaryValueType(type) is { } valueType)
        {
            return hasValue
                ? $"{section.Path} must be an object (one entry per key), not a single value."
                : children.Select(child => FindProblem(child, valueType)).FirstOrDefault(problem => problem is not null);
        }

        if (ElementType(type) is { } elementType)
        {
            return hasValue
                ? $"{section.Path} must be a list (a JSON array, or the keys {section.Path}:0, {section.Path}:1, ... as in {section.Path.Replace(":", "__", StringComparison.Ordinal)}__0), not a single value."
                : children.Select(child => FindProblem(child, elementType)).FirstOrDefault(problem => problem is not null);
        }

        if (hasValue && section.Value!.Length > 0)
        {
            return $"{section.Path} must be an object (a JSON object of its settings), not a single value.";
        }

        foreach (var child in children)
        {
            var property = type.GetProperty(child.Key, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
            if (property is not null && FindProblem(child, property.PropertyType, property.IsDefined(typeof(DelimitedListAttribute))) is { } problem)
            {
                return problem;
            }
        }

        return null;
    }

    /// <summary>What the binder converts from one string.</summary>
    private static bool IsScalar(Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        return underlying == typeof(string) || underlying.IsPrimitive || underlying.IsEnum || ParsedTypes.Contains(underlying);
    }

    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = RootedJustification)]
    private static Type? DictionaryValueType(Type type) =>
        type.IsGenericType && type.GetGenericArguments() is [var key, var value] && typeof(IDictionary).IsAssignableFrom(type) && key == typeof(string)
            ? value
            : type.GetInterfaces().Append(type).FirstOrDefault(candidate => candidate.IsGenericType
                && candidate.GetGenericTypeDefinition() is var definition
                && (definition == typeof(IDictionary<,>) || definition == typeof(IReadOnlyDictionary<,>)))?.GetGenericArguments()[1];

    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = RootedJustification)]
    private static Type? ElementType(Type type) =>
        type.IsArray
            ? type.GetElementType()
            : type.GetInterfaces().Append(type).FirstOrDefault(candidate => candidate.IsGenericType && candidate.GetGenericTypeDefinition() == typeof(IEnumerable<>))?.GetGenericArguments()[0];
}
