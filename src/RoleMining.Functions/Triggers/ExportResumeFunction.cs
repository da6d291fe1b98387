using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RoleMining.Exports;
using RoleMining.Functions.Configuration;

namespace RoleMining.Functions.Triggers;

/// <summary>
/// Resumes stalled export jobs (<c>%RoleMining_ResumeSchedule%</c>, every 30 seconds by default): a queue message taken by
/// an instance that died or was scaled in stays invisible for up to ten minutes (the queue listener's own visibility
/// timeout, which it renews while the function runs), so without this its job would wait that long. Shell over
/// <see cref="ExportJobService.ResumeAsync"/> with <c>Exports:Recovery:StallTimeout</c>: a job whose step's lease ran
/// out, or whose due message nobody claimed, gets its message sent again; the sequence numbers make the original a
/// harmless duplicate when it reappears. The host runs a timer on one instance at a time.
/// </summary>
public sealed partial class ExportResumeFunction
{
    private readonly ExportJobService _jobs;
    private readonly ExportWorkflowOptions _options;
    private readonly ILogger<ExportResumeFunction> _logger;

    /// <summary>Creates the function.</summary>
    public ExportResumeFunction(ExportJobService jobs, IOptions<ExportWorkflowOptions> options, ILogger<ExportResumeFunction> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _jobs = jobs;
        _options = options.Value;
        _logger = logger;
    }

    /// <summary>Sends again the message of every stalled job.</summary>
    [Function("ExportResume")]
    public async Task RunAsync([TimerTrigger(FunctionsSettings.ResumeScheduleExpression)] TimerInfo timer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(timer);
        var resumed = await _jobs.ResumeAsync(_options.Recovery.StallTimeout, cancellationToken);
        if (resumed.Count > 0)
        {
            LogResumed(_logger, resumed.Count, string.Join(", ", resumed.Select(job => job.JobId)));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Resumed {Count} stalled export job(s): {JobIds}")]
    private static partial void LogResumed(ILogger logger, int count, string jobIds);
}
