using Microsoft.Extensions.Configuration;
using RoleMining.Cli.Hosting;
using RoleMining.SailPoint;

namespace RoleMining.Cli.Configuration;

/// <summary>
/// Builds the configuration of a run. Later sources win: the SailPoint SDK variables <c>SAIL_BASE_URL</c>,
/// <c>SAIL_CLIENT_ID</c>, <c>SAIL_CLIENT_SECRET</c> (the lowest, so that any explicit <c>SailPoint:*</c> value wins, as in
/// the client library); user secrets; the <c>--config</c> JSON file; environment variables such as
/// <c>SailPoint__BaseUrl</c>, <c>RoleMining__...</c> or <c>Emulator__...</c>. Secrets never come from the command line.
/// </summary>
internal static class CliConfiguration
{
    /// <summary>The SailPoint SDK/CLI variable of the tenant URL.</summary>
    public const string BaseUrlVariable = "SAIL_BASE_URL";

    /// <summary>The SailPoint SDK/CLI variable of the client id.</summary>
    public const string ClientIdVariable = "SAIL_CLIENT_ID";

    /// <summary>The SailPoint SDK/CLI variable of the client secret.</summary>
    public const string ClientSecretVariable = "SAIL_CLIENT_SECRET";

    /// <summary>The configuration key of the tenant URL.</summary>
    public const string BaseUrlKey = SailPointOptions.SectionName + ":" + nameof(SailPointOptions.BaseUrl);

    /// <summary>Reads every source; a missing or malformed <paramref name="configFile"/> is a configuration error.</summary>
    public static IConfigurationRoot Build(CliContext context, string? configFile)
    {
        ArgumentNullException.ThrowIfNull(context);
        var builder = new ConfigurationBuilder();
        builder.AddInMemoryCollection(SailPointSdkVariables(context.Environment));
        if (context.LoadUserSecrets)
        {
            builder.AddUserSecrets(typeof(CliConfiguration).Assembly, optional: true, reloadOnChange: false);
        }

        if (configFile is not null)
        {
            var path = context.ResolvePath(configFile);
            if (!File.Exists(path))
            {
                throw CliException.Configuration($"Configuration file '{configFile}' was not found.");
            }

            builder.AddJsonFile(path, optional: false, reloadOnChange: false);
        }

        builder.AddInMemoryCollection(EnvironmentVariables(context.Environment));
        try
        {
            return builder.Build();
        }
        catch (Exception exception) when (exception is InvalidDataException or FormatException or IOException)
        {
            // The JSON provider names the file and the position of the syntax error, and never echoes values.
            throw CliException.Configuration("Configuration file could not be read: " + exception.Message, exception);
        }
    }

    /// <summary>Whether a tenant is configured; without one the CLI starts the built-in emulator.</summary>
    public static bool HasTenant(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration[BaseUrlKey]);

    private static Dictionary<string, string?> SailPointSdkVariables(IReadOnlyDictionary<string, string?> environment)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        Copy(BaseUrlVariable, BaseUrlKey);
        Copy(ClientIdVariable, SailPointOptions.SectionName + ":" + nameof(SailPointOptions.ClientId));
        Copy(ClientSecretVariable, SailPointOptions.SectionName + ":" + nameof(SailPointOptions.ClientSecret));
        return values;

        void Copy(string variable, string key)
        {
            if (environment.TryGetValue(variable, out var value) && !string.IsNullOrWhiteSpace(value))
            {
                values[key] = value.Trim();
            }
        }
    }

    /// <summary>
    /// The same mapping as <c>AddEnvironmentVariables()</c> (<c>__</c> separates sections), applied to the variables of
    /// the <see cref="CliContext"/> instead of the process, so that tests can run commands with their own variables; and
    /// OpenTelemetry's standard <c>OTEL_*</c> variables as they are, which the OTLP exporter reads from the configuration.
    /// </summary>
    private static IEnumerable<KeyValuePair<string, string?>> EnvironmentVariables(IReadOnlyDictionary<string, string?> environment) =>
        environment
            .Where(variable => variable.Key.Contains("__", StringComparison.Ordinal) || variable.Key.StartsWith("OTEL_", StringComparison.Ordinal))
            .Select(variable => new KeyValuePair<string, string?>(variable.Key.Replace("__", ConfigurationPath.KeyDelimiter, StringComparison.Ordinal), variable.Value));
}
