using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RoleMining.Exports;

namespace RoleMining.Functions.Triggers;

/// <summary>
/// The scheduled sweep (<see cref="Configuration.FunctionsSettings.ScheduleExpression"/>, nightly by default): <see cref="ExportSweep"/>
/// plans which potential roles of the selected sessions have no running or succeeded export job, and starts one job each
/// (their start messages are enqueued). The plan's idempotency keys make a repeated or overlapping run create no second
/// job; each run is counted as completed or failed, which the "sweep did not finish" alert watches. Turn it off with the
/// app setting <c>AzureWebJobs.ExportSweep.Disabled=true</c>.
/// </summary>
public sealed partial class ExportSweepFunction
{
    private readonly ExportSweep _sweep;
    private readonly ExportSweepOptions _options;
    private readonly ILogger<ExportSweepFunction> _logger;

    /// <summary>Creates the function.</summary>
    public ExportSweepFunction(ExportSweep sweep, IOptions<ExportSweepOptions> options, ILogger<ExportSweepFunction> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _sweep = sweep;
        _options = options.Value;
        _logger = logger;
    }

    /// <summary>Runs the sweep.</summary>
    [Function("ExportSweep")]
    public async Task RunAsync([TimerTrigger(Configuration.FunctionsSettings.ScheduleExpression)] TimerInfo timer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(timer);
        var run = await _sweep.RunAsync(_options.ToSelection(), cancellationToken);
        LogSwept(_logger, run.Plan.SessionIds.Count, run.Created.Count(creation => creation.Created), run.Plan.Covered.Count, timer.IsPastDue);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Export sweep over {SessionCount} sessions started {StartedCount} jobs; {CoveredCount} roles already covered (past due: {IsPastDue})")]
    private static partial void LogSwept(ILogger logger, int sessionCount, int startedCount, int coveredCount, bool isPastDue);
}
