using System.IO.Compression;
using System.Text.Json;
using System.Text.RegularExpressions;
using RoleMining.Emulator;
using RoleMining.Exports;
using RoleMining.SailPoint;
using RoleMining.SailPoint.Models;

namespace RoleMining.Cli.Configuration;

/// <summary>
/// Turns what the configuration stack and the argument parser report into one line that names the input and the rule:
/// a JSON syntax error with its line and column, a value the binder could not convert with its key and the kind of value
/// expected, never a .NET type name.
/// </summary>
internal static partial class ConfigurationMessages
{
    /// <summary>What a value of <paramref name="typeName"/> (as .NET prints it, e.g. <c>System.Nullable`1[System.Int32]</c>) must be.</summary>
    public static string Expected(string typeName)
    {
        var type = NullableOf().Match(typeName) is { Success: true } nullable ? nullable.Groups["type"].Value : typeName;
        return type switch
        {
            "System.Int32" or "System.Int64" or "System.Int16" or "System.UInt32" or "System.UInt64" or "System.Byte" => "a whole number",
            "System.Double" or "System.Single" or "System.Decimal" => "a number",
            "System.Boolean" => "true or false",
            "System.TimeSpan" => "a time span such as 00:00:30",
            "System.Uri" => "a URL",
            "System.DateTimeOffset" or "System.DateTime" => "a date and time such as 2026-01-31T02:00:00Z",
            _ => EnumNamed(type) is { } enumType
                ? "one of " + string.Join(", ", Enum.GetNames(enumType))
                : "a value of the right kind (" + type[(type.LastIndexOf('.') + 1)..] + ")",
        };
    }

    /// <summary>The enum type the binder named, among the enums of the settings (a list: looking a type up by name is not
    /// trim-safe, and the CLI is a Native AOT executable).</summary>
    private static Type? EnumNamed(string typeName) =>
        SettingEnums.FirstOrDefault(type => type.FullName == typeName);

    /// <summary>
    /// "RoleMining:Exports:MaxConcurrency must be a whole number, not 'many'." for the binder's conversion failure, or null
    /// when <paramref name="exception"/> is not one.
    /// </summary>
    public static string? DescribeConversion(Exception exception, Func<string, string>? nameOf = null)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var match = BinderConversion().Match(exception.Message);
        return match.Success
            ? $"{(nameOf ?? (key => key))(match.Groups["key"].Value)} must be {Expected(match.Groups["type"].Value)}, not '{match.Groups["value"].Value}'."
            : null;
    }

    /// <summary>"Configuration error: ..." for an exception of configuration binding.</summary>
    public static string Describe(Exception exception) =>
        "Configuration error: " + (DescribeConversion(exception) ?? exception.Message);

    /// <summary>The position and reason of a JSON syntax error somewhere in <paramref name="exception"/>'s chain, or null.</summary>
    public static string? DescribeJsonSyntax(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is JsonException { LineNumber: { } line, BytePositionInLine: { } column } json)
            {
                // The reader's message ends with its own zero-based "LineNumber: 0 | BytePositionInLine: 33."; people count from 1.
                var reason = JsonPosition().Replace(json.Message, string.Empty).Trim();
                return $"at line {line + 1}, column {column + 1}: {reason}";
            }
        }

        return null;
    }

    /// <summary>
    /// "--min-popularity must be a whole number, not 'abc'." for System.CommandLine's "Cannot parse argument 'abc' for
    /// option '--min-popularity' as expected type 'System.Nullable`1[System.Int32]'."; other messages unchanged.
    /// </summary>
    public static string DescribeArgumentError(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var match = ArgumentConversion().Match(message);
        if (!match.Success)
        {
            return message;
        }

        var (option, value, expected) = (match.Groups["option"].Value, match.Groups["value"].Value, Expected(match.Groups["type"].Value));
        // A whole number the type cannot hold (too large or too small): saying it is not one would be wrong.
        return expected == "a whole number" && WholeNumber().IsMatch(value)
            ? $"{option}: '{value}' is out of range."
            : $"{option} must be {expected}, not '{value}'.";
    }

    /// <summary>The enum types of the settings (a test checks that every enum the options types reach is here).</summary>
    internal static readonly IReadOnlyList<Type> SettingEnums =
        [typeof(RoleMiningApiVersion), typeof(RoleMiningSessionState), typeof(ExportFileAccess), typeof(EmulatorRateLimitMode), typeof(CompressionLevel)];

    [GeneratedRegex(@"^[+-]?\d+$")]
    private static partial Regex WholeNumber();

    [GeneratedRegex(@"^System\.Nullable`1\[(?<type>.+)\]$")]
    private static partial Regex NullableOf();

    [GeneratedRegex(@"Failed to convert configuration value '(?<value>.*)' at '(?<key>[^']+)' to type '(?<type>[^']+)'")]
    private static partial Regex BinderConversion();

    [GeneratedRegex(@"Cannot parse argument '(?<value>.*)' for option '(?<option>[^']+)' as expected type '(?<type>[^']+)'\.?")]
    private static partial Regex ArgumentConversion();

    [GeneratedRegex(@"\s*(Path: \S*\s*\|\s*)?LineNumber: \d+ \| BytePositionInLine: \d+\.?\s*$")]
    private static partial Regex JsonPosition();
}
