using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RoleMining.Exports;

namespace RoleMining.Cli.Serve;

/// <summary>
/// Runs the export sweep on its CRON schedule in a long-running local host (<c>rolemining serve</c>), as the Azure Functions
/// timer does in Azure: at each occurrence it plans (sessions the selection names, their potential roles without a running
/// or succeeded job) and starts the planned jobs, which the in-process runner then works off. A sweep that fails is logged
/// and the next occurrence runs as planned; occurrences missed while a sweep ran are not made up.
/// </summary>
internal sealed partial class ScheduledSweepService : BackgroundService
{
    private readonly SweepSchedule _schedule;
    private readonly Func<ExportSweepSelection> _selection;
    private readonly ExportSweepPlanner _planner;
    private readonly ExportJobService _jobs;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<ScheduledSweepService> _logger;

    /// <summary>Creates the service; <paramref name="selection"/> is read at every sweep.</summary>
    public ScheduledSweepService(
        SweepSchedule schedule,
        Func<ExportSweepSelection> selection,
        ExportSweepPlanner planner,
        ExportJobService jobs,
        TimeProvider timeProvider,
        ILogger<ScheduledSweepService> logger)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentNullException.ThrowIfNull(selection);
        ArgumentNullException.ThrowIfNull(planner);
        ArgumentNullException.ThrowIfNull(jobs);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        _schedule = schedule;
        _selection = selection;
        _planner = planner;
        _jobs = jobs;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>Sweeps completed so far (for a status display or a test).</summary>
    public int CompletedSweeps { get; private set; }

    /// <summary>Plans and starts one sweep now; returns the jobs it created.</summary>
    public async Task<IReadOnlyList<ExportJobCreation>> SweepOnceAsync(CancellationToken cancellationToken)
    {
        var plan = await _planner.PlanAsync(_selection(), cancellationToken).ConfigureAwait(false);
        var created = await _jobs.StartPlannedAsync(plan, cancellationToken).ConfigureAwait(false);
        LogSwept(_logger, created.Count(creation => creation.Created), plan.Covered.Count, plan.SessionIds.Count);
        return created;
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        LogScheduled(_logger, _schedule.Expression, _schedule.NextAfter(_timeProvider.GetUtcNow()));
        while (!stoppingToken.IsCancellationRequested)
        {
            var now = _timeProvider.GetUtcNow();
            var next = _schedule.NextAfter(now);
            try
            {
                await Task.Delay(next - now, _timeProvider, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            try
            {
                await SweepOnceAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // A failed sweep must not stop the schedule: it is logged and the next occurrence runs.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                LogSweepFailed(_logger, next, exception);
            }

            CompletedSweeps++;
        }
    }

    [LoggerMessage(1, LogLevel.Information, "Export sweep scheduled by '{Schedule}' (UTC); next at {Next:u}.")]
    private static partial void LogScheduled(ILogger logger, string schedule, DateTimeOffset next);

    [LoggerMessage(2, LogLevel.Information, "Export sweep: {Created} export jobs started, {Covered} potential roles already covered, {Sessions} sessions.")]
    private static partial void LogSwept(ILogger logger, int created, int covered, int sessions);

    [LoggerMessage(3, LogLevel.Error, "The export sweep due at {Due:u} failed; the next occurrence runs as scheduled.")]
    private static partial void LogSweepFailed(ILogger logger, DateTimeOffset due, Exception exception);
}
