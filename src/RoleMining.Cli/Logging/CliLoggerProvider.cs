using Microsoft.Extensions.Logging;

namespace RoleMining.Cli.Logging;

/// <summary>
/// Writes log entries as single lines to the run's standard error writer. Hand-written because the console logger of
/// Microsoft.Extensions.Logging writes to the process console from a background queue: its lines would neither reach
/// the writer a test captures nor stay ordered with the command's own messages.
/// </summary>
internal sealed class CliLoggerProvider : ILoggerProvider
{
    private readonly TextWriter _writer;
    private readonly LogLevel _minimumLevel;
    private readonly Lock _gate = new();

    public CliLoggerProvider(TextWriter writer, LogLevel minimumLevel)
    {
        _writer = writer;
        _minimumLevel = minimumLevel;
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
            if (exception is not null && _minimumLevel <= LogLevel.Information)
            {
                _writer.WriteLine(exception.ToString());
            }
        }
    }

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
                provider.Write(logLevel, category, formatter(state, exception), exception);
            }
        }
    }
}
