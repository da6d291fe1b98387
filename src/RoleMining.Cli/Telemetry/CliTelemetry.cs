using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using RoleMining.Exports;
using RoleMining.SailPoint.Diagnostics;

namespace RoleMining.Cli.Telemetry;

/// <summary>
/// Traces and metrics of a <c>rolemining</c> run over OTLP, when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> names a collector (an
/// OpenTelemetry Collector, the .NET Aspire dashboard, Jaeger, ...): the same activity sources and meters as the Functions
/// app, so that a local export looks like one in Azure. The exporter reads the standard <c>OTEL_*</c> variables
/// (<c>OTEL_EXPORTER_OTLP_PROTOCOL</c>, <c>OTEL_EXPORTER_OTLP_HEADERS</c>, <c>OTEL_SERVICE_NAME</c>, ...). Off otherwise.
/// </summary>
internal static class CliTelemetry
{
    /// <summary>The standard variable that turns the export on.</summary>
    public const string EndpointSetting = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>Whether <paramref name="configuration"/> names an OTLP endpoint.</summary>
    public static bool IsEnabled(IConfiguration configuration) => !string.IsNullOrWhiteSpace(configuration[EndpointSetting]);

    /// <summary>Registers OpenTelemetry with the OTLP exporter when an endpoint is configured; otherwise nothing.</summary>
    public static IServiceCollection AddRoleMiningOtlpExport(this IServiceCollection services, IConfiguration configuration)
    {
        if (IsEnabled(configuration))
        {
            services.AddOpenTelemetry()
                .WithTracing(tracing => tracing.AddSource(ExportsTelemetry.ActivitySourceName, SailPointTelemetry.ActivitySourceName))
                .WithMetrics(metrics => metrics.AddMeter(ExportsTelemetry.MeterName, SailPointTelemetry.MeterName))
                .UseOtlpExporter();
        }

        return services;
    }

    /// <summary>
    /// Starts the providers of a container that no host starts (the providers export what is left when the container is
    /// disposed at the end of the run).
    /// </summary>
    public static void StartWithoutHost(IServiceProvider services)
    {
        _ = services.GetService<TracerProvider>();
        _ = services.GetService<MeterProvider>();
    }
}
