using Microsoft.Extensions.Configuration;
using RoleMining.Api;
using RoleMining.Cli.Exports;
using RoleMining.Cli.Hosting;
using RoleMining.Cli.Serve;
using RoleMining.Emulator;
using RoleMining.Exports;
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
    public const string BaseUrlKey = RoleMiningClientOptions.SectionName + ":" + nameof(RoleMiningClientOptions.BaseUrl);

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
            if (Directory.Exists(path))
            {
                throw CliException.Configuration($"Configuration file '{configFile}' is a folder; give the JSON file.");
            }

            if (!File.Exists(path))
            {
                throw CliException.Configuration(context.IsUnexpandedHome(configFile)
                    ? $"Configuration file '{configFile}' was not found: {CliContext.UnexpandedHomeNote("--config", configFile)}."
                    : $"Configuration file '{configFile}' was not found.");
            }

            builder.AddJsonFile(path, optional: false, reloadOnChange: false);
        }

        builder.AddInMemoryCollection(EnvironmentVariables(context.Environment));
        IConfigurationRoot configuration;
        try
        {
            configuration = builder.Build();
        }
        catch (Exception exception) when (exception is InvalidDataException or FormatException or IOException)
        {
            // The JSON reader names the position and the rule broken; it never echoes values.
            throw CliException.Configuration(
                ConfigurationMessages.DescribeJsonSyntax(exception) is { } syntax
                    ? $"Configuration error: --config file '{configFile}' is not valid JSON {syntax}"
                    : $"Configuration error: --config file '{configFile}' could not be read: {exception.InnerException?.Message ?? exception.Message}",
                exception);
        }

        foreach (var (section, type) in BoundSections)
        {
            if (ConfigurationShape.FindProblem(configuration.GetSection(section), type) is { } problem)
            {
                throw CliException.Configuration("Configuration error: " + problem);
            }
        }

        return configuration;
    }

    /// <summary>The configuration sections the commands bind, with the class each is bound to.</summary>
    internal static readonly (string Section, Type Type)[] BoundSections =
    [
        (RoleMiningClientOptions.SectionName, typeof(RoleMiningClientOptions)),
        (ExportSettings.WorkflowSection, typeof(ExportWorkflowOptions)),
        (BlobStoreSettings.SectionName, typeof(BlobStoreSettings)),
        (ExportSweepOptions.SectionName, typeof(ExportSweepOptions)),
        (RoleMiningApiOptions.SectionName, typeof(RoleMiningApiOptions)),
        (ServeSettings.SectionName, typeof(ServeSettings)),
        (EmulatorOptions.SectionName, typeof(EmulatorOptions)),
    ];

    /// <summary>The configuration key of the client id.</summary>
    public const string ClientIdKey = RoleMiningClientOptions.SectionName + ":" + nameof(RoleMiningClientOptions.ClientId);

    /// <summary>The configuration key of the client secret.</summary>
    public const string ClientSecretKey = RoleMiningClientOptions.SectionName + ":" + nameof(RoleMiningClientOptions.ClientSecret);

    private static readonly (string Key, string Variable)[] TenantSettings =
    [
        (BaseUrlKey, BaseUrlVariable),
        (ClientIdKey, ClientIdVariable),
        (ClientSecretKey, ClientSecretVariable),
    ];

    /// <summary>
    /// Whether a tenant is configured. Without any tenant setting the CLI starts the built-in emulator; a tenant that is
    /// only partly configured (credentials without a base URL) is a configuration error rather than a silent switch to
    /// synthetic data.
    /// </summary>
    /// <exception cref="CliException">Some tenant settings are given, but not the base URL.</exception>
    public static bool HasTenant(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var present = TenantSettings.Where(setting => !string.IsNullOrWhiteSpace(configuration[setting.Key])).ToList();
        if (present.Count == 0)
        {
            return false;
        }

        if (present.Any(setting => setting.Key == BaseUrlKey))
        {
            return true;
        }

        var given = string.Join(" and ", present.Select(setting => $"{setting.Variable} ({setting.Key})"));
        throw CliException.Configuration(
            $"Configuration error: {BaseUrlVariable} ({BaseUrlKey}) is not set, but {given} {(present.Count == 1 ? "is" : "are")}: "
            + "set it to your tenant's API URL (https://{tenant}.api.identitynow.com), or remove every SailPoint tenant setting to use the built-in emulator.");
    }

    /// <summary>
    /// Variables whose names look meant for the tenant (they start with <c>SAIL</c> in any case) but that no source reads,
    /// such as <c>SAILPOINT_BASE_URL</c> or <c>SAIL_CLIENTID</c>; sorted. (Names are read in any case, as on Windows.)
    /// </summary>
    public static IReadOnlyList<string> UnreadTenantVariables(IReadOnlyDictionary<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return environment
            .Where(variable => !string.IsNullOrWhiteSpace(variable.Value))
            .Select(variable => variable.Key)
            .Where(name => name.StartsWith("SAIL", StringComparison.OrdinalIgnoreCase)
                && !name.Contains("__", StringComparison.Ordinal)
                && !TenantSettings.Any(setting => string.Equals(setting.Variable, name, StringComparison.OrdinalIgnoreCase)))
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    private static Dictionary<string, string?> SailPointSdkVariables(IReadOnlyDictionary<string, string?> environment)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        Copy(BaseUrlVariable, BaseUrlKey);
        Copy(ClientIdVariable, ClientIdKey);
        Copy(ClientSecretVariable, ClientSecretKey);
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
    /// the <see cref="CliContext"/> instead of the process, so that tests can run commands with their own variables;
    /// OpenTelemetry's standard <c>OTEL_*</c> variables as they are, which the OTLP exporter reads from the configuration;
    /// and the Functions app's schedule setting <c>RoleMining_Schedule</c> (no <c>__</c> in its name), which
    /// <c>rolemining serve</c> reads as its spelling of <c>RoleMining:Schedule</c>.
    /// </summary>
    private static IEnumerable<KeyValuePair<string, string?>> EnvironmentVariables(IReadOnlyDictionary<string, string?> environment) =>
        environment
            .Where(variable => variable.Key.Contains("__", StringComparison.Ordinal)
                || variable.Key.StartsWith("OTEL_", StringComparison.Ordinal)
                || string.Equals(variable.Key, LocalApiHost.FunctionsScheduleKey, StringComparison.Ordinal))
            .Select(variable => new KeyValuePair<string, string?>(variable.Key.Replace("__", ConfigurationPath.KeyDelimiter, StringComparison.Ordinal), variable.Value));
}
