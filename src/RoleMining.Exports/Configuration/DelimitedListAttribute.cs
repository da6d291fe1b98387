using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace RoleMining.Exports;

/// <summary>
/// Marks a list setting that may also be written as one value of items separated by commas, semicolons or white space:
/// <c>RoleMining__Sweep__SessionIds=a,b</c> (the form an app setting set by Bicep takes) as well as the list form
/// <c>RoleMining__Sweep__SessionIds__0=a</c>, <c>__1=b</c> or a JSON array. <see cref="AddSingleValueItems"/> adds the
/// single-value form to what the configuration binder read; a checker of
/// setting shapes (the CLI's) accepts a single value for such a property.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class DelimitedListAttribute : Attribute
{
    private static readonly char[] Separators = [',', ';', ' ', '\t', '\r', '\n'];

    /// <summary>The items of <paramref name="value"/>, trimmed, empty ones left out.</summary>
    public static IReadOnlyList<string> Split(string? value) =>
        (value ?? string.Empty).Split(Separators, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>
    /// Adds the items of every <see cref="DelimitedListAttribute"/> property of <paramref name="options"/> that
    /// <paramref name="section"/> writes as one value, which the configuration binder skips (it binds a list only from child
    /// keys). Call it after the binder: both forms at once add up.
    /// </summary>
    /// <typeparam name="T">The options type; its public properties are read by reflection, kept by the trimmer.</typeparam>
    public static void AddSingleValueItems<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] T>(IConfiguration section, T options)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(section);
        ArgumentNullException.ThrowIfNull(options);
        foreach (var property in typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.IsDefined(typeof(DelimitedListAttribute)) && section[property.Name] is { } value && property.GetValue(options) is ICollection<string> list)
            {
                foreach (var item in Split(value))
                {
                    list.Add(item);
                }
            }
        }
    }
}
