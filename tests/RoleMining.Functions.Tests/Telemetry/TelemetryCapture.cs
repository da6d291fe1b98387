using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using RoleMining.Functions.Telemetry;

namespace RoleMining.Functions.Tests.Telemetry;

/// <summary>
/// The app's own OpenTelemetry registration (<see cref="FunctionsTelemetry.AddRoleMiningTelemetry"/>, as Program.cs makes
/// it) with in-memory exporters, and its log filters with two log collectors: what the app logs after its filters, and
/// everything, to show what the filters removed.
/// </summary>
internal sealed class TelemetryCapture
{
    public List<Activity> Spans { get; } = [];

    public List<MetricSnapshot> Metrics { get; } = [];

    /// <summary>Log records as the OpenTelemetry exporter (Azure Monitor's, in Azure) receives them.</summary>
    public List<LogRecord> Records { get; } = [];

    public FakeLogCollector Logs { get; } = new();

    public FakeLogCollector AllLogs { get; } = new();

    public void AddTo(IServiceCollection services, IConfiguration configuration)
    {
        services.AddRoleMiningTelemetry(configuration)
            .WithTracing(tracing => tracing.AddInMemoryExporter(Spans))
            .WithMetrics(metrics => metrics.AddInMemoryExporter(Metrics))
            .WithLogging(logging => logging.AddInMemoryExporter(Records));
        services.AddLogging(logging => logging
            .SetMinimumLevel(LogLevel.Trace)
            .AddRoleMiningLogFilters(configuration)
            .AddProvider(new FakeLoggerProvider(Logs))
            .AddProvider(new UnfilteredLogProvider(AllLogs))
            // A rule for this provider alone beats every category rule: it records what the filters would have removed.
            .AddFilter<UnfilteredLogProvider>(null, LogLevel.Trace));
    }

    /// <summary>Exports what is pending: the spans that ended, and one collection of every instrument.</summary>
    public static void Flush(IServiceProvider services)
    {
        services.GetRequiredService<TracerProvider>().ForceFlush();
        services.GetRequiredService<MeterProvider>().ForceFlush();
    }

    /// <summary>The latest points of instrument <paramref name="name"/> (the exporter's temporality is cumulative).</summary>
    public IReadOnlyList<MetricPoint> Points(string name)
    {
        var snapshot = Metrics.LastOrDefault(metric => metric.Name == name);
        return snapshot is null ? [] : snapshot.MetricPoints;
    }
}

/// <summary>A point's attributes as a dictionary.</summary>
internal static class MetricPointExtensions
{
    public static Dictionary<string, object?> Attributes(this MetricPoint point)
    {
        var attributes = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var tag in point.Tags)
        {
            attributes[tag.Key] = tag.Value;
        }

        return attributes;
    }

    public static bool Has(this MetricPoint point, params (string Key, object Value)[] expected)
    {
        var attributes = point.Attributes();
        return expected.All(pair => attributes.TryGetValue(pair.Key, out var value) && Equals(Normalize(value), Normalize(pair.Value)));
    }

    // Integer attributes arrive as long or int depending on the instrument's API; compare them as numbers.
    private static object? Normalize(object? value) => value is int or long ? Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture) : value;
}

/// <summary>
/// A FakeLoggerProvider under a type of its own: logging filter rules select providers by type, so that a rule for this
/// one alone lets everything through to it while the app's filters apply to the other.
/// </summary>
internal sealed class UnfilteredLogProvider(FakeLogCollector collector) : FakeLoggerProvider(collector);
