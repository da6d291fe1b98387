using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using RoleMining.Exports;
using RoleMining.SailPoint.Diagnostics;

namespace RoleMining.Functions.Telemetry;

/// <summary>
/// The worker's telemetry: OpenTelemetry over the worker's invocation spans (which continue the host's trace) and the
/// app's own activity sources and meters, and, where <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c> is set, the Functions
/// worker's OpenTelemetry defaults with the Azure Monitor exporter, authenticated with the app's identity
/// (<see cref="ApplicationInsightsAuthentication"/>).
/// Logs leave the worker quiet by default (<see cref="QuietCategories"/>): host.json's log levels filter the host only.
/// </summary>
public static class FunctionsTelemetry
{
    /// <summary>The activity source of the Functions worker: one span per invocation, child of the host's.</summary>
    public const string WorkerActivitySource = "Microsoft.Azure.Functions.Worker";

    /// <summary>The capability that keeps the host from sending the worker's relayed log lines to Application Insights.</summary>
    public const string WorkerSendsItsOwnLogsCapability = "WorkerApplicationInsightsLoggingEnabled";

    /// <summary>The setting that names the Application Insights component; telemetry is exported only when it is set.</summary>
    public const string ConnectionStringSetting = "APPLICATIONINSIGHTS_CONNECTION_STRING";

    /// <summary>The activity sources whose spans are exported.</summary>
    public static IReadOnlyList<string> ActivitySources { get; } =
        [WorkerActivitySource, ExportsTelemetry.ActivitySourceName, SailPointTelemetry.ActivitySourceName];

    /// <summary>The meters whose instruments are exported.</summary>
    public static IReadOnlyList<string> Meters { get; } = [ExportsTelemetry.MeterName, SailPointTelemetry.MeterName];

    /// <summary>
    /// The least level logged per category, with the reason, unless the configuration sets a level for that category or a
    /// broader one (<c>Logging__LogLevel__Azure=Information</c> brings back every Azure SDK line). Application Insights
    /// bills per line.
    /// </summary>
    public static IReadOnlyDictionary<string, LogLevel> QuietCategories { get; } = new Dictionary<string, LogLevel>(StringComparer.Ordinal)
    {
        // The Azure SDK logs one Information line per storage request and response: a thousand for one export and one sweep.
        ["Azure"] = LogLevel.Warning,

        // Azure.Core logs every non-2xx response as a Warning, the ones the app expects and handles included: the 404 of a
        // manifest that is not written yet, the 404 of an unknown job, the 409/412 of an ETag condition
        // (Azure/azure-sdk-for-net#45298). A failure the app did not expect reaches it as RequestFailedException and is
        // logged there, with the job and step.
        ["Azure.Core"] = LogLevel.Error,

        // IHttpClientFactory logs four lines per SailPoint request; the SailPoint client logs each operation itself.
        ["System.Net.Http.HttpClient"] = LogLevel.Warning,

        // The host already logs every HTTP invocation.
        ["Microsoft.AspNetCore"] = LogLevel.Warning,
    };

    /// <summary>Registers OpenTelemetry for the worker (see the class summary); returns the builder for more exporters.</summary>
    public static IOpenTelemetryBuilder AddRoleMiningTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var builder = services.AddOpenTelemetry()
            .WithTracing(tracing => tracing.AddSource([.. ActivitySources]))
            .WithMetrics(metrics => metrics.AddMeter([.. Meters]));

        // The workflow's scope (JobId, Step, Sequence, MessageId, Attempt) on every line a step writes: a SailPoint
        // failure or a storage warning is then found by job id, not only through its trace. Off by default in OpenTelemetry.
        services.Configure<OpenTelemetryLoggerOptions>(logging => logging.IncludeScopes = true);

        var connectionString = configuration[ConnectionStringSetting];
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            // Only with an exporter, so that a local run keeps the worker's lines in the host's console. The worker relays
            // every log line to the host, which would send it to Application Insights a second time. Two capabilities tell
            // the host not to, one per host telemetry mode: WorkerOpenTelemetryEnabled (set by the worker defaults) is
            // read only when host.json sets telemetryMode to OpenTelemetry; in the default Application Insights mode, which
            // this app uses, the host drops the relayed lines from Application Insights (not from its console) only for
            // WorkerApplicationInsightsLoggingEnabled, the capability the worker's Application Insights package sets.
            builder.UseFunctionsWorkerDefaults();
            services.Configure<WorkerOptions>(worker => worker.Capabilities[WorkerSendsItsOwnLogsCapability] = bool.TrueString);
            var credential = ApplicationInsightsAuthentication.CredentialFrom(configuration[ApplicationInsightsAuthentication.SettingName]);
            builder.UseAzureMonitorExporter(options =>
            {
                options.ConnectionString = connectionString;
                options.Credential = credential;

                // Every trace kept: the exporter's default limit of a few traces per second would drop most of the exports
                // a sweep starts within seconds, and an operator must be able to follow any failed export. Volumes are
                // small (tens of spans per export).
                options.TracesPerSecond = null;
                options.SamplingRatio = 1.0F;
            });
        }

        return builder;
    }

    /// <summary>Applies <see cref="QuietCategories"/>, each unless the configuration sets that category's level or a broader one's.</summary>
    public static ILoggingBuilder AddRoleMiningLogFilters(this ILoggingBuilder logging, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(logging);
        ArgumentNullException.ThrowIfNull(configuration);
        foreach (var (category, level) in QuietCategories)
        {
            if (!ConfiguredFor(configuration, category))
            {
                logging.AddFilter(category, level);
            }
        }

        return logging;
    }

    private static bool ConfiguredFor(IConfiguration configuration, string category)
    {
        var levels = configuration.GetSection("Logging:LogLevel");
        for (var prefix = category; prefix.Length > 0; prefix = prefix.LastIndexOf('.') is var dot and > 0 ? prefix[..dot] : string.Empty)
        {
            if (!string.IsNullOrEmpty(levels[prefix]))
            {
                return true;
            }
        }

        return false;
    }
}
