using System.Collections;
using System.ComponentModel.DataAnnotations;
using System.Reflection;

namespace RoleMining.Infrastructure.Tests.Support;

/// <summary>The configuration keys an options class binds, found by reflection on the real (compiled) class.</summary>
internal static class OptionsKeys
{
    /// <summary>
    /// Keys that must be set because the class requires them (<c>[Required]</c>) and a new instance leaves them empty:
    /// without them the app fails its start-up validation.
    /// </summary>
    public static IReadOnlyList<string> Required(Type optionsType, string section) =>
        Walk(optionsType, section, Activator.CreateInstance(optionsType))
            .Where(key => key.IsRequired && key.DefaultIsEmpty)
            .Select(key => key.Path)
            .ToList();

    /// <summary>Whether <paramref name="key"/> (relative to the section) names a bindable property, nested ones included.</summary>
    public static bool Binds(Type optionsType, string key)
    {
        var type = optionsType;
        var dictionaryKey = false;
        foreach (var segment in key.Split(':'))
        {
            if (dictionaryKey)
            {
                // Any key of a Dictionary<string, T> binds; the segments after it name T's properties.
                dictionaryKey = false;
                continue;
            }

            var property = type.GetProperty(segment, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
            if (property is null || property.SetMethod is not { IsPublic: true } && !IsComplex(property.PropertyType))
            {
                return false;
            }

            type = property.PropertyType;
            if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>) && type.GetGenericArguments()[0] == typeof(string))
            {
                dictionaryKey = true;
                type = type.GetGenericArguments()[1];
            }
        }

        return !dictionaryKey;
    }

    private static IEnumerable<(string Path, bool IsRequired, bool DefaultIsEmpty)> Walk(Type type, string prefix, object? instance)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0)
            {
                continue;
            }

            var path = $"{prefix}:{property.Name}";
            var value = instance is null ? null : property.GetValue(instance);
            if (IsComplex(property.PropertyType))
            {
                foreach (var nested in Walk(property.PropertyType, path, value))
                {
                    yield return nested;
                }

                continue;
            }

            if (property.SetMethod is not { IsPublic: true })
            {
                continue;
            }

            var empty = value is null || (value is string text && string.IsNullOrWhiteSpace(text));
            yield return (path, property.GetCustomAttribute<RequiredAttribute>() is not null, empty);
        }
    }

    private static bool IsComplex(Type type) =>
        type.IsClass && type != typeof(string) && type != typeof(Uri) && !typeof(IEnumerable).IsAssignableFrom(type);
}
