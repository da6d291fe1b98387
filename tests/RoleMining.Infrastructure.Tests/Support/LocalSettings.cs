using System.Text.Json;

namespace RoleMining.Infrastructure.Tests.Support;

/// <summary>The <c>Values</c> of local.settings.sample.json, the file a developer copies to local.settings.json.</summary>
internal static class LocalSettings
{
    public const string RelativePath = "local.settings.sample.json";

    /// <summary>Setting name to value, as written.</summary>
    public static IReadOnlyDictionary<string, string> Values()
    {
        using var document = JsonDocument.Parse(Repository.ReadText(RelativePath));
        return document.RootElement.GetProperty("Values").EnumerateObject()
            .ToDictionary(property => property.Name, property => property.Value.ValueKind == JsonValueKind.String
                ? property.Value.GetString()!
                : property.Value.GetRawText(), StringComparer.Ordinal);
    }
}

/// <summary>Setting names as the host sees them: <c>A__B</c> (app settings, environment) is <c>A:B</c> in configuration.</summary>
internal static class SettingNames
{
    /// <summary>The configuration key of a setting name.</summary>
    public static string ToConfigurationKey(string settingName) => settingName.Replace("__", ":", StringComparison.Ordinal);

    /// <summary>The app-setting form of a configuration key.</summary>
    public static string ToAppSettingName(string configurationKey) => configurationKey.Replace(":", "__", StringComparison.Ordinal);

    /// <summary>Configuration keys compare without regard to case, as .NET configuration does.</summary>
    public static StringComparer Comparer => StringComparer.OrdinalIgnoreCase;
}
