using System.Text;

namespace RoleMining.Cli.Tests.Infrastructure;

/// <summary>
/// A thread-safe string writer that calls back for each completed line, so that a test can act at a point of the output
/// (e.g. cancel after the first page) instead of after a guessed delay.
/// </summary>
public sealed class LineNotifyingWriter(Action<string>? onLine) : StringWriter
{
    private readonly StringBuilder _line = new();
    private readonly Lock _gate = new();

    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value)
    {
        string? completed = null;
        lock (_gate)
        {
            base.Write(value);
            if (value == '\n')
            {
                completed = _line.ToString().TrimEnd('\r');
                _line.Clear();
            }
            else
            {
                _line.Append(value);
            }
        }

        if (completed is not null)
        {
            onLine?.Invoke(completed);
        }
    }

    public override void Write(char[] buffer, int index, int count)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        for (var i = index; i < index + count; i++)
        {
            Write(buffer[i]);
        }
    }

    public override void Write(string? value)
    {
        foreach (var character in value ?? string.Empty)
        {
            Write(character);
        }
    }

    public override Task WriteAsync(char value)
    {
        Write(value);
        return Task.CompletedTask;
    }

    public override Task WriteAsync(string? value)
    {
        Write(value);
        return Task.CompletedTask;
    }

    public override Task WriteAsync(char[] buffer, int index, int count)
    {
        Write(buffer, index, count);
        return Task.CompletedTask;
    }

    public override Task WriteAsync(ReadOnlyMemory<char> buffer, CancellationToken cancellationToken = default)
    {
        foreach (var character in buffer.Span)
        {
            Write(character);
        }

        return Task.CompletedTask;
    }

    public override Task WriteLineAsync(string? value)
    {
        Write(value);
        Write(CoreNewLine);
        return Task.CompletedTask;
    }

    public override Task WriteLineAsync()
    {
        Write(CoreNewLine);
        return Task.CompletedTask;
    }

    public override Task WriteLineAsync(ReadOnlyMemory<char> buffer, CancellationToken cancellationToken = default)
    {
        WriteAsync(buffer, cancellationToken);
        Write(CoreNewLine);
        return Task.CompletedTask;
    }

    public override void WriteLine(string? value)
    {
        Write(value);
        Write(CoreNewLine);
    }

    public override string ToString()
    {
        lock (_gate)
        {
            return base.ToString();
        }
    }
}
