using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RoleMining.Exports;

namespace RoleMining.Cli.Serve;

/// <summary>
/// Works off the in-process export queue for as long as the host runs (<c>rolemining serve</c>, tests): at start it sends
/// again the message of every unfinished stored job (the in-process queue of an earlier run died with it), then runs the
/// workflow's steps until the host stops.
/// </summary>
internal sealed partial class ExportRunnerService : BackgroundService
{
    private readonly InProcessExportRunner _runner;
    private readonly ExportJobService _jobs;
    private readonly ILogger<ExportRunnerService> _logger;
    private readonly bool _jobsUnderFolderLock;

    /// <summary>Creates the service.</summary>
    public ExportRunnerService(InProcessExportRunner runner, ExportJobService jobs, IOptions<ExportWorkflowOptions> options, ILogger<ExportRunnerService> logger)
    {
        ArgumentNullException.ThrowIfNull(runner);
        ArgumentNullException.ThrowIfNull(jobs);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _jobsUnderFolderLock = options.Value.FileSystem.JobRootWithinArtifactRoot;
        _runner = runner;
        _jobs = jobs;
        _logger = logger;
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            // serve holds the folder's lock (LocalApiHost): a lease in its job documents was left by an earlier run (not
            // with a job folder configured elsewhere, which other processes may share).
            if (_jobsUnderFolderLock)
            {
                await _jobs.EndLeasesOfEarlierProcessesAsync(stoppingToken).ConfigureAwait(false);
            }

            var resumed = await _jobs.ResumeAsync(stalledFor: null, stoppingToken).ConfigureAwait(false);
            if (resumed.Count > 0)
            {
                LogResumed(_logger, resumed.Count);
            }

            await _runner.RunAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping; unfinished jobs resume at the next start.
        }
    }

    [LoggerMessage(1, LogLevel.Information, "Resumed {Count} unfinished export jobs.")]
    private static partial void LogResumed(ILogger logger, int count);
}
