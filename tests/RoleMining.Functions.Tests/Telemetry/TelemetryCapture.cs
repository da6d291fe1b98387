using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using RoleMining.Functions.Telemetry;

namespace RoleMining.Functions.Tests.Telemetry;

/// <summary>
/// The app's own OpenTelemetry registration (<see cref="FunctionsTelemetry.AddRoleMiningTelemetry"/>, as Program.cs makes
/// it) with in-memory exporters, and its log filters with two log recorders: what the app logs after its filters, and
/// everything, to show what the filters removed.
/// </summary>
internal sealed class TelemetryCapture
{
    public List<Activity> Spans { get; } = [];

    public List<MetricSnapshot> Metrics { get; } = [];

    public LogRecorder Logs { get; } = new();

    public UnfilteredLogRecorder AllLogs { get; } = new();

    public void AddTo(IServiceCollection services, IConfiguration configuration)
    {
        services.AddRoleMiningTelemetry(configuration)
            .WithTracing(tracing => tracing.AddInMemoryExporter(Spans))
            .WithMetrics(metrics => metrics.AddInMemoryExporter(Metrics));
        services.AddLogging(logging => logging
            .SetMinimumLevel(LogLevel.Trace)
            .AddRoleMiningLogFilters(configuration)
            .AddProvider(Logs)
            .AddProvider(AllLogs)
            // A rule for this provider alone beats every category rule: it records what the filters would have removed.
            .AddFilter<UnfilteredLogRecorder>(null, LogLevel.Trace));
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

/// <summary>A logger provider that keeps every record it is given.</summary>
internal class LogRecorder : ILoggerProvider
{
    private readonly List<LogRecord> _records = [];

    public IReadOnlyList<LogRecord> Records
    {
        get
        {
            lock (_records)
            {
                return [.. _records];
            }
        }
    }

    public ILogger CreateLogger(string categoryName) => new Recorder(this, categoryName);

    public void Dispose()
    {
    }

    private void Add(LogRecord record)
    {
        lock (_records)
        {
            _records.Add(record);
        }
    }

    private sealed class Recorder(LogRecorder owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Add(new LogRecord(category, logLevel, formatter(state, exception)));
    }
}

/// <summary>The same, under its own type, so that a provider-specific rule can let everything through to it.</summary>
internal sealed class UnfilteredLogRecorder : LogRecorder;

internal sealed record LogRecord(string Category, LogLevel Level, string Message);
