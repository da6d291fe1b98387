using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;

namespace RoleMining.Cli.Logging;

/// <summary>
/// Writes log entries as single lines to the run's standard error writer. Hand-written because the console logger of
/// Microsoft.Extensions.Logging writes to the process console from a background queue: its lines would neither reach
/// the writer a test captures nor stay ordered with the command's own messages.
/// </summary>
internal sealed partial class CliLoggerProvider : ILoggerProvider
{
    private readonly TextWriter _writer;
    private readonly LogLevel _minimumLevel;
    private readonly bool _stackTraces;
    private readonly Lock _gate = new();

    /// <summary>Logs from <paramref name="minimumLevel"/> on; stack traces when <paramref name="stackTraces"/> (default: when Information or lower is logged).</summary>
    public CliLoggerProvider(TextWriter writer, LogLevel minimumLevel, bool? stackTraces = null)
    {
        _writer = writer;
        _minimumLevel = minimumLevel;
        _stackTraces = stackTraces ?? minimumLevel <= LogLevel.Information;
    }

    public ILogger CreateLogger(string categoryName) => new LineLogger(this, categoryName);

    public void Dispose()
    {
    }

    private void Write(LogLevel level, string category, string message, Exception? exception)
    {
        var label = level switch
        {
            LogLevel.Trace => "trace",
            LogLevel.Debug => "debug",
            LogLevel.Information => "info",
            LogLevel.Warning => "warn",
            LogLevel.Error => "error",
            _ => "crit",
        };

        lock (_gate)
        {
            // The message goes on one line: multi-line exception text would break line-oriented logs.
            _writer.WriteLine($"{label}: {category}: {message.ReplaceLineEndings(" ")}");
            if (exception is not null && _stackTraces)
            {
                _writer.WriteLine(exception.ToString());
            }
        }
    }

    /// <summary>
    /// The message, with "none" where a structured value is missing: the standard formatter writes "(null)" (for a
    /// trackingId SailPoint did not send, an export id not yet known), which on a console reads like a bug. Hand-written
    /// because the formatter of Microsoft.Extensions.Logging has no option for it; only messages with a missing value
    /// are rendered here, every other one by the formatter.
    /// </summary>
    internal static string Render<TState>(TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (state is not IReadOnlyList<KeyValuePair<string, object?>> { Count: > 1 } values
            || values[^1] is not { Key: "{OriginalFormat}", Value: string template }
            || !values.Take(values.Count - 1).Any(value => value.Value is null))
        {
            return formatter(state, exception);
        }

        var byName = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in values.Take(values.Count - 1))
        {
            byName.TryAdd(name, value);
        }

        return Hole().Replace(template, match =>
        {
            if (match.Value is "{{" or "}}")
            {
                return match.Value[..1];
            }

            var value = byName.GetValueOrDefault(match.Groups["name"].Value);
            var format = match.Groups["format"].Success ? match.Groups["format"].Value : null;
            return value switch
            {
                null => "none",
                IFormattable formattable => formattable.ToString(format, CultureInfo.InvariantCulture),
                _ => value.ToString() ?? "none",
            };
        });
    }

    [GeneratedRegex(@"\{\{|\}\}|\{(?<name>[^{},:]+)(,[^{}:]*)?(:(?<format>[^{}]*))?\}")]
    private static partial Regex Hole();

    private sealed class LineLogger(CliLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None && logLevel >= provider._minimumLevel;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            ArgumentNullException.ThrowIfNull(formatter);
            if (IsEnabled(logLevel))
            {
                provider.Write(logLevel, category, Render(state, exception, formatter), exception);
            }
        }
    }
}
