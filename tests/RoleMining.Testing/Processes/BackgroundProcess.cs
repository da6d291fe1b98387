using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace RoleMining.Testing.Processes;

/// <summary>
/// A long-running child process (a server) whose output lines are kept, so a test can wait for the line that says it is
/// ready and show the last lines when it is not. Disposing stops it with all its children.
/// </summary>
public sealed class BackgroundProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly object _gate = new();
    private readonly List<(Regex Pattern, TaskCompletionSource<Match> Found)> _waiters = [];

    private BackgroundProcess(Process process, string description)
    {
        _process = process;
        Description = description;
    }

    /// <summary>The command line.</summary>
    public string Description { get; }

    /// <summary>The process id.</summary>
    public int Id => _process.Id;

    /// <summary>Whether it has exited.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>Every line written so far to standard output or error.</summary>
    public IReadOnlyList<string> Lines => [.. _lines];

    /// <summary>Starts the process and begins collecting its output.</summary>
    public static BackgroundProcess Start(ProcessStartInfo start)
    {
        ArgumentNullException.ThrowIfNull(start);
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var started = new BackgroundProcess(process, ProcessRun.Describe(start));
        process.OutputDataReceived += (_, line) => started.OnLine(line.Data);
        process.ErrorDataReceived += (_, line) => started.OnLine(line.Data);
        if (!process.Start())
        {
            throw new InvalidOperationException($"{started.Description} did not start.");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return started;
    }

    /// <summary>
    /// Waits for the first line (already written or still to come) that matches <paramref name="pattern"/>; fails with the
    /// last lines when the process exits first or <paramref name="timeout"/> passes.
    /// </summary>
    public async Task<Match> WaitForLineAsync(Regex pattern, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        var found = new TaskCompletionSource<Match>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            foreach (var line in _lines)
            {
                if (pattern.Match(line) is { Success: true } match)
                {
                    return match;
                }
            }

            _waiters.Add((pattern, found));
        }

        var exited = _process.WaitForExitAsync();
        var finished = await Task.WhenAny(found.Task, exited, Task.Delay(timeout));
        if (finished == found.Task)
        {
            return await found.Task;
        }

        var reason = finished == exited ? $"exited with code {_process.ExitCode}" : $"did not print /{pattern}/ within {timeout}";
        throw new InvalidOperationException($"{Description} {reason}. Last lines:\n{Tail(40)}");
    }

    /// <summary>The last <paramref name="count"/> lines, for failure messages.</summary>
    public string Tail(int count) => string.Join('\n', _lines.TakeLast(count));

    /// <summary>Kills the process and its children at once, as a crash would (no graceful shutdown).</summary>
    public async Task KillAsync()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        await _process.WaitForExitAsync();
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            _lines.Enqueue(line);
            for (var index = _waiters.Count - 1; index >= 0; index--)
            {
                if (_waiters[index].Pattern.Match(line) is { Success: true } match)
                {
                    _waiters[index].Found.TrySetResult(match);
                    _waiters.RemoveAt(index);
                }
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }
}
