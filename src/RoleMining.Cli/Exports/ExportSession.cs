using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using RoleMining.Cli.Commands;
using RoleMining.Cli.Hosting;
using RoleMining.Exports;
using RoleMining.Exports.AzureBlob;
using RoleMining.Exports.Storage.FileSystem;

namespace RoleMining.Cli.Exports;

/// <summary>
/// Runs the export workflow in this process for the command line: job documents under the artifact folder, artifacts
/// there too or in an Azure Blob container (<see cref="BlobArtifactContainer"/>), the in-process queue, and a runner that works until every job has ended. Jobs are found again by their idempotency keys,
/// so a rerun of the same command resumes what a cancelled or crashed run left: finished exports are kept, interrupted
/// ones continue where their job document says, failed ones get a new job.
/// </summary>
internal sealed class ExportSession
{
    private static readonly TimeSpan MonitorInterval = TimeSpan.FromMilliseconds(250);

    private readonly CliRun _run;
    private readonly string _command;
    private readonly BlobArtifactContainer? _blobContainer;
    private readonly string? _createdFrom;
    private readonly ScaffoldFiles? _scaffold;

    public ExportSession(CliRun run, string artifactRoot, string command)
    {
        _run = run;
        _command = command;
        ArtifactRoot = artifactRoot;
        // Asked before the services below create the stores, which create their folders.
        _createdFrom = ExportFolderLock.OutermostMissingFolder(artifactRoot);
        _blobContainer = run.Services.GetService<BlobArtifactContainer>();
        _scaffold = run.Services.GetService<ScaffoldFiles>();
        Jobs = run.Services.GetRequiredService<ExportJobService>();
        Planner = run.Services.GetRequiredService<ExportSweepPlanner>();
    }

    /// <summary>The folder job documents (<c>.jobs</c>) are written to, and artifacts unless they go to a blob container.</summary>
    public string ArtifactRoot { get; }

    /// <summary>Where artifacts go, for messages: the blob container's URL or the artifact folder.</summary>
    public string ArtifactLocation => _blobContainer?.Location ?? ArtifactRoot;

    public ExportJobService Jobs { get; }

    public ExportSweepPlanner Planner { get; }

    /// <summary>
    /// The services of the workflow with files only (<c>serve</c>). <paramref name="outDirectory"/> (from <c>--out</c>)
    /// wins over <c>RoleMining:Exports:FileSystem:ArtifactRoot</c>, which wins over <c>./exports</c>.
    /// </summary>
    public static Action<IServiceCollection, IConfiguration> Services(CliContext context, string? outDirectory) =>
        Services(context, outDirectory, readBlobSettings: false, blobContainer: null, serving: true);

    /// <summary>
    /// The services of <c>export</c> and <c>sweep</c>: as above, with artifacts in a blob container when
    /// <paramref name="blobContainer"/> (from <c>--blob-container</c>) or <c>RoleMining:Exports:Blob:Container</c> names one.
    /// </summary>
    public static Action<IServiceCollection, IConfiguration> Services(CliContext context, string? outDirectory, string? blobContainer) =>
        Services(context, outDirectory, readBlobSettings: true, blobContainer, serving: false);

    private static Action<IServiceCollection, IConfiguration> Services(CliContext context, string? outDirectory, bool readBlobSettings, string? blobContainer, bool serving) => (services, configuration) =>
    {
        var container = readBlobSettings ? BlobArtifactContainer.FromConfiguration(configuration, blobContainer) : null;

        // With a blob container, job ids get a scope of the job folder's. It is read, or created, with the job store, not
        // with the options: options are checked before anything starts, and a run failing that check must not have
        // written into the export folder.
        var scaffold = container is null ? null : new ScaffoldFiles();

        // Registered before the configuration binding, so that configured values still win over these defaults.
        services.AddOptions<ExportWorkflowOptions>().Configure(options => ExportSettings.ApplyCommandLineDefaults(options, serving));
        services.AddRoleMiningExports(configuration.GetSection(ExportSettings.WorkflowSection))
            .UseFileSystemStores(scaffold is null ? null : fileSystem => JobIdScopeFile.ReadOrCreate(fileSystem.JobRoot!, fileSystem.Access, scaffold))
            .UseInProcessQueue();
        if (container is not null)
        {
            // Artifacts to the container; job documents stay in files, in a folder of the container's with job ids of
            // their own (the folder set by the PostConfigure below).
            services.AddSingleton(container);
            services.AddSingleton(scaffold!);
            services.Replace(ServiceDescriptor.Singleton<IExportArtifactStore>(new BlobExportArtifactStore(container.Client)));
        }

        services.AddExportSweepOptions(configuration.GetSection(ExportSweepOptions.SectionName));
        services.PostConfigure<ExportWorkflowOptions>(options =>
        {
            // The command line's polling defaults give way to a shorter TotalWait that was configured, rather than make it
            // invalid with a message ("MaxDelay must not exceed TotalWait") about a value nobody set.
            var polling = configuration.GetSection(ExportSettings.WorkflowSection).GetSection("Polling");
            if (polling["MaxDelay"] is null && options.Polling.MaxDelay > options.Polling.TotalWait)
            {
                options.Polling.MaxDelay = options.Polling.TotalWait;
            }

            if (polling["InitialDelay"] is null && options.Polling.InitialDelay > options.Polling.MaxDelay)
            {
                options.Polling.InitialDelay = options.Polling.MaxDelay;
            }

            var root = outDirectory ?? options.FileSystem.ArtifactRoot;
            options.FileSystem.ArtifactRoot = context.ResolvePath(string.IsNullOrWhiteSpace(root) ? ExportSettings.DefaultOutputDirectory : root);
            if (!string.IsNullOrWhiteSpace(options.FileSystem.JobRoot))
            {
                options.FileSystem.JobRoot = context.ResolvePath(options.FileSystem.JobRoot);
            }

            if (container is not null)
            {
                options.FileSystem.JobRoot = Path.Combine(options.FileSystem.EffectiveJobRoot!, "blob", container.JobFolderName);
            }
        });

        // --out was checked with the command line; a configured folder is checked here, before a store creates anything in it.
        services.AddSingleton<IValidateOptions<ExportWorkflowOptions>>(new ConfiguredFolderValidation(fromCommandLine: outDirectory is not null));
    };

    /// <summary>An export folder from the configuration (not --out) that names a file, or lies below one.</summary>
    private sealed class ConfiguredFolderValidation(bool fromCommandLine) : IValidateOptions<ExportWorkflowOptions>
    {
        public ValidateOptionsResult Validate(string? name, ExportWorkflowOptions options) =>
            fromCommandLine || ExportCommand.FolderProblem(options.FileSystem.ArtifactRoot!) is not { } problem
                ? ValidateOptionsResult.Success
                : ValidateOptionsResult.Fail($"{ExportSettings.WorkflowSection}:FileSystem:ArtifactRoot '{options.FileSystem.ArtifactRoot}' {problem}.");
    }

    /// <summary>
    /// The job of each candidate for <paramref name="options"/>: the running or succeeded one stored earlier, else a new one
    /// (after a failed one, a new one under the next key). Jobs of other parameters do not count.
    /// </summary>
    public async Task<IReadOnlyList<string>> PrepareAsync(IReadOnlyList<SweepCandidate> candidates, ExportRequestOptions options, CancellationToken cancellationToken)
    {
        var existing = new List<ExportJob>();
        foreach (var sessionId in candidates.Select(candidate => candidate.SessionId).Distinct(StringComparer.Ordinal))
        {
            await foreach (var job in Jobs.QueryAsync(new ExportJobQuery { SessionId = sessionId }, cancellationToken))
            {
                if (job.Options == options)
                {
                    existing.Add(job);
                }
            }
        }

        var plan = ExportSweepPlanner.Plan(candidates, existing, options);
        var created = await Jobs.StartPlannedAsync(plan, cancellationToken);
        ReportReusedExports(created);
        var jobIds = new Dictionary<(string, string), string>();
        foreach (var covered in plan.Covered)
        {
            jobIds[(covered.SessionId, covered.PotentialRoleId)] = covered.JobId;
        }

        foreach (var creation in created)
        {
            jobIds[(creation.Job.SessionId, creation.Job.PotentialRoleId)] = creation.Job.JobId;
        }

        // In the order asked for, so that the summary reads like the request.
        return candidates.Distinct().Select(candidate => jobIds[(candidate.SessionId, candidate.PotentialRoleId)]).Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>Says when new jobs follow the SailPoint export of a failed one, so that a rerun is understood.</summary>
    public void ReportReusedExports(IReadOnlyList<ExportJobCreation> created)
    {
        var reused = created.Count(creation => creation.Created && creation.Job.ExportReusedFrom is not null);
        if (reused > 0)
        {
            _run.Console.Output.WriteLine($"{reused} export(s) that failed earlier (a download or storage failure, or SailPoint taking too long) first try to continue with their SailPoint export; a new one is started only if SailPoint no longer has it.");
        }
    }

    /// <summary>
    /// Resumes every unfinished stored job (the in-process queue of an earlier run died with it), lets
    /// <paramref name="prepare"/> create or find the jobs asked for, runs the workflow until all jobs ended, shows progress
    /// and prints the summary of those jobs and the resumed ones. Exit code 1 when any failed, 130 when cancelled.
    /// <para>
    /// A resumed job that fails in this run gets one new job at once: its SailPoint export may have expired meanwhile (or,
    /// with the built-in emulator, vanished with the earlier process), and a rerun is meant to finish the work, not to
    /// report that an old export is gone. A job created in this run that fails is reported, not retried.
    /// </para>
    /// </summary>
    public async Task<int> RunAsync(Func<CancellationToken, Task<IReadOnlyList<string>>> prepare, CancellationToken cancellationToken)
    {
        var console = _run.Console;
        var fileSystem = _run.Services.GetRequiredService<IOptions<ExportWorkflowOptions>>().Value.FileSystem;
        using var folder = ExportFolderLock.Acquire(ArtifactRoot, _command, fileSystem.Access, _createdFrom, _scaffold);
        await RemoveLeftoversAsync(_run.Services, cancellationToken);
        if (_blobContainer is not null)
        {
            await _blobContainer.EnsureExistsAsync(cancellationToken);
        }

        var runner = _run.Services.GetRequiredService<InProcessExportRunner>();
        // This process holds the folder's lock: a lease in its job documents was left by an earlier run (Ctrl+C, a kill).
        // Not with a job folder configured elsewhere, which runs with other --out folders may share.
        if (fileSystem.JobRootWithinArtifactRoot)
        {
            await Jobs.EndLeasesOfEarlierProcessesAsync(cancellationToken);
        }

        var resumed = await Jobs.ResumeAsync(stalledFor: null, cancellationToken);
        var resumedIds = resumed.Select(job => job.JobId).ToHashSet(StringComparer.Ordinal);
        IReadOnlyList<string> jobIds;
        try
        {
            jobIds = await prepare(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Jobs created before the cancellation are stored: the next run resumes them.
            await console.Error.WriteLineAsync("Cancelled. Run the same command again to resume the exports it had created.");
            return ExitCodes.Cancelled;
        }

        var tracked = jobIds.Concat(resumedIds).Distinct(StringComparer.Ordinal).ToList();
        if (tracked.Count == 0)
        {
            await console.Output.WriteLineAsync("Nothing to export.");
            return ExitCodes.Success;
        }

        await console.Output.WriteLineAsync(_blobContainer is null
            ? $"Exporting {tracked.Count} potential role(s) to {ArtifactRoot}."
            : $"Exporting {tracked.Count} potential role(s) to {ArtifactLocation} (job documents in {fileSystem.EffectiveJobRoot}).");
        var cancelled = false;
        try
        {
            if (console.IsOutputTerminal)
            {
                await SpectreExportProgress.RunAsync(console, progress => RunRoundsAsync(runner, tracked, resumedIds, progress, cancellationToken));
            }
            else
            {
                await RunRoundsAsync(runner, tracked, resumedIds, new PlainExportProgress(console.Output), cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            cancelled = true;
        }

        // Read once more without the (maybe cancelled) token: the summary shows where every job stopped. Cancelled before
        // the resumed jobs that could not be continued were started again: the next run starts them, so they are not failures.
        var jobs = await ReadAsync(tracked, CancellationToken.None);
        ExportSummary.Write(console, jobs, ArtifactLocation, cancelled ? job => StartsAgain(job, resumedIds) : null);
        if (cancelled)
        {
            await console.Error.WriteLineAsync("Cancelled. Finished exports are kept; run the same command again to resume the others.");
            return ExitCodes.Cancelled;
        }

        var unsuccessful = jobs.Where(job => job.State != ExportJobState.Succeeded).ToList();
        if (unsuccessful.Count == 0)
        {
            return ExitCodes.Success;
        }

        // A refusal to start (no such session or role, no permission) meets a rerun as it is: saying "retry" would mislead.
        await console.Error.WriteLineAsync(unsuccessful.All(job => job.Failure?.Kind == ExportFailureKind.StartRejected)
            ? "SailPoint refused to start these exports (see each reason): run the same command again once that is mended (the session or role, the client's permissions)."
            : "Run the same command again to retry: finished exports are kept, failed ones get a new job.");
        // Every failure for want of SailPoint (down, unreachable, refusing the credentials): the exit code says so, as
        // it does when the first call fails; a script can wait and run again.
        return unsuccessful.All(job => job.Failure?.SailPointError is { } error && CliErrors.IsUnreachable(error.Kind, error.Status))
            ? ExitCodes.Unreachable
            : ExitCodes.Failed;
    }

    /// <summary>Removes the temporary job files a killed run left (writes are atomic, so they are never needed).</summary>
    internal static async Task RemoveLeftoversAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        if (services.GetRequiredService<IExportJobStore>() is FileSystemExportJobStore store)
        {
            await store.RemoveTemporaryLeftoversAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Runs the workflow until every job ended, giving each resumed job that failed (see <see cref="StartsAgain(ExportJob, HashSet{string})"/>)
    /// one new job as soon as the failure shows, while the others run on: a rerun a day later finds every old export gone
    /// within seconds, and those must not wait for the downloads of the jobs created in this run. Updates <paramref name="tracked"/>.
    /// </summary>
    private async Task RunRoundsAsync(
        InProcessExportRunner runner, List<string> tracked, HashSet<string> resumedIds, IExportProgress progress, CancellationToken cancellationToken)
    {
        var replacements = new HashSet<string>(StringComparer.Ordinal);
        bool StartsAgain(ExportJob job) => !replacements.Contains(job.JobId) && ExportSession.StartsAgain(job, resumedIds);
        Task<bool> RestartAsync(IReadOnlyList<ExportJob> jobs) => RestartFailedAsync(jobs, StartsAgain, tracked, replacements, cancellationToken);

        // Once more when a job failed after the watcher's last look, or the runner fell idle before a replacement was queued.
        do
        {
            await RunAndWatchAsync(runner, tracked, progress, StartsAgain, RestartAsync, cancellationToken);
        }
        while (await RestartAsync(await ReadAsync(tracked, cancellationToken)));
    }

    /// <summary>
    /// Whether a failed job gets a new job in this run. A resumed job, or one that was to download an earlier job's
    /// SailPoint export, may find that export gone. A full disk is not worth a second try within the run, nor is an
    /// export SailPoint took too long for: a new one would make the run wait as long again (the next run starts it).
    /// </summary>
    private static bool StartsAgain(ExportJob job, HashSet<string> resumedIds) =>
        job.State == ExportJobState.Failed && job.Failure?.Kind is not (ExportFailureKind.StorageFull or ExportFailureKind.PollTimeout)
        && (resumedIds.Contains(job.JobId) || job.ExportReusedFrom is not null);

    /// <summary>
    /// New jobs (same session, role and parameters, under the next idempotency key) for those of <paramref name="jobs"/>
    /// that <paramref name="startsAgain"/>, put in their place in <paramref name="tracked"/> group by group as they are
    /// created (a cancellation between groups leaves no created job untracked); false when there were none.
    /// </summary>
    private async Task<bool> RestartFailedAsync(
        IReadOnlyList<ExportJob> jobs, Func<ExportJob, bool> startsAgain, List<string> tracked, HashSet<string> replacements, CancellationToken cancellationToken)
    {
        var failed = jobs.Where(startsAgain).ToList();
        if (failed.Count == 0)
        {
            return false;
        }

        await _run.Console.Output.WriteLineAsync($"{failed.Count} export(s) of an earlier run could not be continued; starting them again.");
        foreach (var group in failed.GroupBy(job => job.Options))
        {
            var candidates = group.Select(job => new SweepCandidate(job.SessionId, job.PotentialRoleId)).Distinct().ToList();
            // PrepareAsync answers in candidate order, one job per (distinct) candidate.
            var newJobs = await PrepareAsync(candidates, group.Key, cancellationToken);
            var byCandidate = candidates.Zip(newJobs).ToDictionary(pair => pair.First, pair => pair.Second);
            foreach (var job in group)
            {
                var replacement = byCandidate[new SweepCandidate(job.SessionId, job.PotentialRoleId)];
                replacements.Add(replacement);
                tracked[tracked.IndexOf(job.JobId)] = replacement;
            }
        }

        return true;
    }

    private async Task RunAndWatchAsync(
        InProcessExportRunner runner,
        IReadOnlyList<string> jobIds,
        IExportProgress progress,
        Func<ExportJob, bool> startsAgain,
        Func<IReadOnlyList<ExportJob>, Task<bool>> restart,
        CancellationToken cancellationToken)
    {
        using var stopWatching = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var watching = WatchAsync(jobIds, progress, startsAgain, restart, stopWatching.Token);
        try
        {
            await runner.RunUntilIdleAsync(cancellationToken);
        }
        finally
        {
            await stopWatching.CancelAsync();
            await watching;
        }

        progress.Update(await ReadAsync(jobIds, CancellationToken.None), startsAgain);
    }

    /// <summary>
    /// Shows the jobs every <see cref="MonitorInterval"/> and restarts those that start again, until <paramref name="stop"/>.
    /// A restart begun runs to its end under the run's own token (<paramref name="restart"/> holds it), not under
    /// <paramref name="stop"/>: the end of the watch must not leave a new job created and not tracked.
    /// </summary>
    private async Task WatchAsync(
        IReadOnlyList<string> jobIds,
        IExportProgress progress,
        Func<ExportJob, bool> startsAgain,
        Func<IReadOnlyList<ExportJob>, Task<bool>> restart,
        CancellationToken stop)
    {
        try
        {
            while (true)
            {
                var jobs = await ReadAsync(jobIds, stop);
                progress.Update(jobs, startsAgain);
                await restart(jobs);
                await Task.Delay(MonitorInterval, stop);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The run ended (or was cancelled): nothing more to watch.
        }
    }

    private async Task<IReadOnlyList<ExportJob>> ReadAsync(IReadOnlyList<string> jobIds, CancellationToken cancellationToken)
    {
        var jobs = new List<ExportJob>(jobIds.Count);
        foreach (var jobId in jobIds)
        {
            if (await Jobs.GetAsync(jobId, cancellationToken) is { } job)
            {
                jobs.Add(job);
            }
        }

        return jobs;
    }
}
