using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RoleMining.Exports;
using RoleMining.Functions.Configuration;

namespace RoleMining.Functions.Triggers;

/// <summary>
/// The scheduled sweep (<c>%RoleMining:Schedule%</c>, nightly by default): plans with <see cref="ExportSweepPlanner"/>
/// which potential roles of the selected sessions have no running or succeeded export job, and starts one job each
/// (<see cref="ExportJobService.StartPlannedAsync"/>, which enqueues their start messages). The plan's idempotency keys
/// make a repeated or overlapping run create no second job. Turn it off with the app setting
/// <c>AzureWebJobs.ExportSweep.Disabled=true</c>.
/// </summary>
public sealed partial class ExportSweepFunction
{
    private readonly ExportSweepPlanner _planner;
    private readonly ExportJobService _jobs;
    private readonly ExportSweepOptions _options;
    private readonly ILogger<ExportSweepFunction> _logger;

    /// <summary>Creates the function.</summary>
    public ExportSweepFunction(ExportSweepPlanner planner, ExportJobService jobs, IOptions<ExportSweepOptions> options, ILogger<ExportSweepFunction> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _planner = planner;
        _jobs = jobs;
        _options = options.Value;
        _logger = logger;
    }

    /// <summary>Runs the sweep.</summary>
    [Function("ExportSweep")]
    public async Task RunAsync([TimerTrigger(FunctionsSettings.ScheduleExpression)] TimerInfo timer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(timer);
        var plan = await _planner.PlanAsync(_options.ToSelection(), cancellationToken);
        var started = await _jobs.StartPlannedAsync(plan, cancellationToken);
        LogSwept(_logger, plan.SessionIds.Count, started.Count(creation => creation.Created), plan.Covered.Count, timer.IsPastDue);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Export sweep over {SessionCount} sessions started {StartedCount} jobs; {CoveredCount} roles already covered (past due: {IsPastDue})")]
    private static partial void LogSwept(ILogger logger, int sessionCount, int startedCount, int coveredCount, bool isPastDue);
}
