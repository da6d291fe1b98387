using System.Globalization;
using RoleMining.Cli.Hosting;
using RoleMining.Exports;
using RoleMining.SailPoint;
using Spectre.Console;

namespace RoleMining.Cli.Exports;

/// <summary>Shows where each export job is while the workflow runs.</summary>
internal interface IExportProgress
{
    /// <summary>
    /// Takes the latest state of the jobs (called a few times per second). <paramref name="startsAgain"/>: whether a
    /// failed job gets a new job in this run (an export of an earlier run that could not be continued), shown as such
    /// rather than as a failure.
    /// </summary>
    void Update(IReadOnlyList<ExportJob> jobs, Func<ExportJob, bool>? startsAgain = null);
}

/// <summary>Describes job states in words, and as a rough share of the way to the end for progress bars.</summary>
internal static class ExportJobProgress
{
    /// <summary>
    /// The state in words and, while the job waits to retry a step that failed for a passing reason, the retry and its
    /// reason: an outage or a long Retry-After may keep a job waiting for minutes, which must not look like a hang.
    /// </summary>
    public static string Label(ExportJob job, Func<ExportJob, bool>? startsAgain = null) => Retry(job) is > 0 and var retry
        ? $"{StateLabel(job)}, retry {retry.ToString(CultureInfo.InvariantCulture)} after {RetryReason(job.LastSailPointError)}"
        : job.State == ExportJobState.Failed && startsAgain?.Invoke(job) == true
            ? "could not be continued; starting again"
            : StateLabel(job);

    /// <summary>" in 45 s" while a retry is due later than <paramref name="now"/>; empty otherwise.</summary>
    public static string RetryCountdown(ExportJob job, DateTimeOffset now) =>
        Retry(job) > 0 && job.NextStepDueAt is { } due && due > now
            ? string.Create(CultureInfo.InvariantCulture, $" in {Math.Ceiling((due - now).TotalSeconds):0} s")
            : string.Empty;

    /// <summary>
    /// Which retry the job waits for or runs: of a step that failed for a passing reason, or of a start that got no clear
    /// answer (back in the queue until SailPoint can say whether it took the export); 0 when none.
    /// </summary>
    private static int Retry(ExportJob job) => job switch
    {
        { IsTerminal: true } => 0,
        { TransientRetries: > 0 } => job.TransientRetries,
        { State: ExportJobState.Queued, UncertainStarts: > 0 } => job.UncertainStarts,
        _ => 0,
    };

    private static string RetryReason(ExportSailPointError? error) => error switch
    {
        null => "an error",
        { ViaOpenCircuit: true } => "SailPoint kept failing (calls paused)",
        { Kind: SailPointErrorKind.RateLimited } or { Status: 429 } => "SailPoint's rate limit (429)",
        { Kind: SailPointErrorKind.Transport } => "a broken connection to SailPoint",
        { Kind: SailPointErrorKind.Timeout } => "no answer from SailPoint in time",
        { Status: { } status } => string.Create(CultureInfo.InvariantCulture, $"SailPoint answered {status}"),
        _ => "a SailPoint error",
    };

    private static string StateLabel(ExportJob job) => job.State switch
    {
        ExportJobState.Queued => "queued",
        ExportJobState.Started => "starting",
        ExportJobState.Polling => job.ExportStatus is { } status ? $"waiting for SailPoint ({status})" : "waiting for SailPoint",
        ExportJobState.Downloading => "downloading",
        ExportJobState.Succeeded => "succeeded",
        ExportJobState.Failed => "failed",
        _ => job.State.ToString(),
    };

    /// <summary>0 to 100: start 10, polling 20 to 70 by polls made, download 85, end 100.</summary>
    public static double Percent(ExportJob job) => job.State switch
    {
        ExportJobState.Queued => 0,
        ExportJobState.Started => 10,
        ExportJobState.Polling => 20 + (Math.Min(job.PollCount, 5) * 10),
        ExportJobState.Downloading => 85,
        _ => 100,
    };

    /// <summary>session/role, each cut to a length that keeps a progress line readable.</summary>
    public static string Name(ExportJob job) => $"{Short(job.SessionId)}/{Short(job.PotentialRoleId)}";

    private static string Short(string id) => id.Length > 13 ? id[..13] : id;
}

/// <summary>One line per change of a job's state: for logs, CI and redirected output.</summary>
internal sealed class PlainExportProgress(TextWriter output, TimeProvider? timeProvider = null) : IExportProgress
{
    private readonly Dictionary<string, string> _shown = new(StringComparer.Ordinal);
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private readonly long _started = (timeProvider ?? TimeProvider.System).GetTimestamp();

    public void Update(IReadOnlyList<ExportJob> jobs, Func<ExportJob, bool>? startsAgain = null)
    {
        foreach (var job in jobs)
        {
            var label = ExportJobProgress.Label(job, startsAgain);
            if (_shown.TryGetValue(job.JobId, out var previous) && previous == label)
            {
                continue;
            }

            _shown[job.JobId] = label;
            output.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"[{_time.GetElapsedTime(_started).TotalSeconds,6:0.0}s] {job.SessionId}/{job.PotentialRoleId}: {label}{ExportJobProgress.RetryCountdown(job, _time.GetUtcNow())}"));
        }
    }
}

/// <summary>One Spectre.Console progress bar per export, for a terminal.</summary>
internal sealed class SpectreExportProgress(ProgressContext context) : IExportProgress
{
    private readonly Dictionary<string, ProgressTask> _tasks = new(StringComparer.Ordinal);

    public void Update(IReadOnlyList<ExportJob> jobs, Func<ExportJob, bool>? startsAgain = null)
    {
        foreach (var job in jobs)
        {
            var description = Markup.Escape($"{ExportJobProgress.Name(job)} {ExportJobProgress.Label(job, startsAgain)}{ExportJobProgress.RetryCountdown(job, DateTimeOffset.UtcNow)}");
            if (!_tasks.TryGetValue(job.JobId, out var task))
            {
                task = context.AddTask(description, autoStart: true, maxValue: 100);
                _tasks[job.JobId] = task;
            }

            task.Description = description;
            task.Value = ExportJobProgress.Percent(job);
            if (job.IsTerminal && !task.IsFinished)
            {
                task.StopTask();
            }
        }
    }

    /// <summary>Runs <paramref name="work"/> under live progress bars on the terminal behind <paramref name="console"/>.</summary>
    public static Task RunAsync(CliConsole console, Func<IExportProgress, Task> work) =>
        console.CreateOutputConsole()
            .Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(context => work(new SpectreExportProgress(context)));
}
