using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RoleMining.Emulator;
using RoleMining.SailPoint;

namespace RoleMining.Exports.Tests.Support;

/// <summary>What a test changes about the harness.</summary>
internal sealed record HarnessSettings
{
    public Action<EmulatorOptions>? Emulator { get; init; }

    public Action<ExportWorkflowOptions>? Workflow { get; init; }

    public Action<RoleMiningClientOptions>? SailPoint { get; init; }

    /// <summary>Wraps the real client the workflow uses (hooks, faults).</summary>
    public Func<IRoleMiningClient, IRoleMiningClient>? Client { get; init; }

    /// <summary>Wraps the in-process queue the workflow sends to (duplication).</summary>
    public Func<IExportQueue, IExportQueue>? Queue { get; init; }

    /// <summary>Wraps the filesystem artifact store.</summary>
    public Func<IExportArtifactStore, IExportArtifactStore>? Artifacts { get; init; }

    /// <summary>Wraps the filesystem job store.</summary>
    public Func<IExportJobStore, IExportJobStore>? JobStore { get; init; }

    public ILoggerProvider? Logs { get; init; }

    /// <summary>The clock of the workflow and its client (a <see cref="PausableClock"/> when a test steps time itself).</summary>
    public TimeProvider? Time { get; init; }
}

/// <summary>
/// A real emulator, a folder for the stores, and a "process" (<see cref="WorkflowHost"/>): the real client and the
/// workflow registered with DI the way the command line does it. <see cref="RestartAsync"/> throws the process away
/// (its in-memory queue with it) and starts a new one over the same folder and emulator.
/// </summary>
internal sealed class WorkflowHarness : IAsyncDisposable
{
    private readonly HarnessSettings _settings;

    private WorkflowHarness(EmulatorServer emulator, TemporaryDirectory root, HarnessSettings settings)
    {
        Emulator = emulator;
        Root = root;
        _settings = settings;
        Host = new WorkflowHost(this, settings);
    }

    public EmulatorServer Emulator { get; }

    public TemporaryDirectory Root { get; }

    public WorkflowHost Host { get; private set; }

    public static EmulatorOptions EmulatorOptions(Action<EmulatorOptions>? configure = null)
    {
        var options = new EmulatorOptions
        {
            ClientId = "exports-" + Guid.NewGuid().ToString("N"),
            ClientSecret = "exports-secret-" + Guid.NewGuid().ToString("N"),
        };
        options.RateLimit.Enabled = false;
        options.Exports.QueuedFor = TimeSpan.FromMilliseconds(100);
        options.Exports.InProgressFor = TimeSpan.FromMilliseconds(200);
        options.Tenant.MaxIdentitiesPerPotentialRole = 40;
        options.Tenant.MaxEntitlementsPerPotentialRole = 12;
        configure?.Invoke(options);
        return options;
    }

    public static async Task<WorkflowHarness> StartAsync(HarnessSettings? settings = null)
    {
        settings ??= new HarnessSettings();
        var emulator = await EmulatorServer.StartAsync(EmulatorOptions(settings.Emulator));
        return new WorkflowHarness(emulator, new TemporaryDirectory(), settings);
    }

    /// <summary>Ends the current process (already cancelled or not) and starts a new one over the same stores.</summary>
    public async Task<WorkflowHost> RestartAsync(HarnessSettings? settings = null)
    {
        await Host.DisposeAsync();
        Host = new WorkflowHost(this, settings ?? _settings);
        return Host;
    }

    /// <summary>A client straight to the emulator, outside the workflow (for cross-checks).</summary>
    public ServiceProvider DirectClientProvider()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSailPointRoleMining(options => ConfigureClient(options, null));
        return services.BuildServiceProvider();
    }

    internal void ConfigureClient(RoleMiningClientOptions options, Action<RoleMiningClientOptions>? configure)
    {
        options.BaseUrl = Emulator.BaseAddress;
        options.ClientId = Emulator.Options.ClientId;
        options.ClientSecret = Emulator.Options.ClientSecret;
        options.RateLimit.Enabled = false;
        options.Retry.BaseDelay = TimeSpan.FromMilliseconds(20);
        options.Retry.MaxDelay = TimeSpan.FromMilliseconds(100);
        options.Timeouts.Attempt = TimeSpan.FromSeconds(20);
        options.Timeouts.Total = TimeSpan.FromSeconds(40);
        options.CircuitBreaker.BreakDuration = TimeSpan.FromMilliseconds(500);
        configure?.Invoke(options);
    }

    /// <summary>
    /// Moves the paused <paramref name="clock"/> on in small steps until the step holding the job has renewed
    /// <paramref name="held"/>: only while the holder waits for its renewal timer (a renewal that is still being written,
    /// or a timer not yet set, gets real time, not fake time), and never up to the lease's expiry. After each step
    /// <paramref name="atEachStep"/> checks what must hold meanwhile. Fails the test when no renewal comes within ten
    /// seconds of real time, which is what a holder that does not renew in time looks like.
    /// </summary>
    public async Task<ExportJobLease> AdvanceUntilRenewedAsync(PausableClock clock, string jobId, ExportJobLease held, Func<Task>? atEachStep = null)
    {
        // What JobLeaseHolder waits between renewals.
        var renewalInterval = Host.Options.LeaseDuration / 3;
        var step = TimeSpan.FromMilliseconds(20);
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var lease = (await Host.GetJobAsync(jobId)).Lease;
            Assert.NotNull(lease);
            if (lease.ExpiresAt > held.ExpiresAt)
            {
                Assert.Equal(held.LeaseId, lease.LeaseId);
                return lease;
            }

            Assert.True(
                watch.Elapsed < TimeSpan.FromSeconds(10),
                $"The lease was not renewed: it expires at {held.ExpiresAt:O}, the clock stands at {clock.GetUtcNow():O}.");
            if (clock.Waiting(renewalInterval) > 0 && clock.GetUtcNow() + step < held.ExpiresAt)
            {
                clock.Advance(step);
                if (atEachStep is not null)
                {
                    await atEachStep();
                }
            }

            await Task.Delay(5);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        await Emulator.DisposeAsync();
        Root.Dispose();
    }
}

/// <summary>One "process" of the workflow: DI container, in-process queue and runner, filesystem stores.</summary>
internal sealed class WorkflowHost : IAsyncDisposable
{
    public WorkflowHost(WorkflowHarness harness, HarnessSettings settings)
    {
        var services = new ServiceCollection();
        services.AddLogging(logging =>
        {
            logging.SetMinimumLevel(LogLevel.Trace);
            if (settings.Logs is not null)
            {
                logging.AddProvider(settings.Logs);
            }
        });
        if (settings.Time is { } time)
        {
            services.AddSingleton(time);
        }

        services.AddSailPointRoleMining(options => harness.ConfigureClient(options, settings.SailPoint));
        if (settings.Client is { } decorateClient)
        {
            services.AddSingleton<IRoleMiningClient>(provider => decorateClient(provider.GetRequiredService<RoleMiningClient>()));
        }

        if (settings.Queue is { } decorateQueue)
        {
            services.AddSingleton<IExportQueue>(provider => decorateQueue(provider.GetRequiredService<InProcessExportQueue>()));
        }

        if (settings.Artifacts is { } decorateArtifacts)
        {
            services.AddSingleton<IExportArtifactStore>(provider => decorateArtifacts(
                new RoleMining.Exports.Storage.FileSystem.FileSystemExportArtifactStore(provider.GetRequiredService<IOptions<ExportWorkflowOptions>>().Value.FileSystem.ArtifactRoot!)));
        }

        if (settings.JobStore is { } decorateJobs)
        {
            services.AddSingleton<IExportJobStore>(provider =>
            {
                var fileSystem = provider.GetRequiredService<IOptions<ExportWorkflowOptions>>().Value.FileSystem;
                return decorateJobs(new RoleMining.Exports.Storage.FileSystem.FileSystemExportJobStore(
                    fileSystem.EffectiveJobRoot!, provider.GetRequiredService<ILogger<RoleMining.Exports.Storage.FileSystem.FileSystemExportJobStore>>(), fileSystem.Access, fileSystem.JobIdScope));
            });
        }

        services.AddRoleMiningExports(options =>
        {
            options.FileSystem.ArtifactRoot = harness.Root.Path;
            options.Polling.InitialDelay = TimeSpan.FromMilliseconds(50);
            options.Polling.MaxDelay = TimeSpan.FromMilliseconds(300);
            options.Polling.TotalWait = TimeSpan.FromSeconds(30);
            options.RetryBaseDelay = TimeSpan.FromMilliseconds(50);
            options.RetryMaxDelay = TimeSpan.FromMilliseconds(500);
            options.LeaseDuration = TimeSpan.FromSeconds(3);
            options.UncertainStart.RetryDelay = TimeSpan.FromMilliseconds(100);
            options.TransientRetry.InitialDelay = TimeSpan.FromMilliseconds(50);
            options.TransientRetry.MaxDelay = TimeSpan.FromMilliseconds(300);
            options.MaxConcurrency = 8;
            options.MaxAttempts = 5;
            settings.Workflow?.Invoke(options);
        }).UseFileSystemStores().UseInProcessQueue();
        Services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    public ServiceProvider Services { get; }

    public ExportJobService Jobs => Services.GetRequiredService<ExportJobService>();

    public ExportWorkflow Workflow => Services.GetRequiredService<ExportWorkflow>();

    public ExportSweepPlanner Planner => Services.GetRequiredService<ExportSweepPlanner>();

    public InProcessExportQueue Queue => Services.GetRequiredService<InProcessExportQueue>();

    public InProcessExportRunner Runner => Services.GetRequiredService<InProcessExportRunner>();

    public IExportJobStore JobStore => Services.GetRequiredService<IExportJobStore>();

    public IExportArtifactStore Artifacts => Services.GetRequiredService<IExportArtifactStore>();

    public ExportWorkflowOptions Options => Services.GetRequiredService<IOptions<ExportWorkflowOptions>>().Value;

    /// <summary>Runs until every chain ended; fails the test if that takes longer than <paramref name="timeout"/>.</summary>
    public async Task RunUntilIdleAsync(TimeSpan? timeout = null)
    {
        using var limit = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(90));
        try
        {
            await Runner.RunUntilIdleAsync(limit.Token);
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested)
        {
            var pending = await Jobs.QueryAsync(new ExportJobQuery { States = [ExportJobState.Queued, ExportJobState.Started, ExportJobState.Polling, ExportJobState.Downloading] }).ToListAsync();
            throw new TimeoutException($"The workflow did not finish within {timeout}: {pending.Count} job(s) unfinished ({string.Join(", ", pending.Select(job => $"{job.JobId}:{job.State}"))}), {Queue.Count} message(s) queued.");
        }
    }

    /// <summary>Runs until <paramref name="crash"/> is cancelled by a hook, as a killed process would stop.</summary>
    public async Task RunUntilCrashAsync(CancellationTokenSource crash, TimeSpan? timeout = null)
    {
        crash.CancelAfter(timeout ?? TimeSpan.FromSeconds(60));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Runner.RunAsync(crash.Token));
    }

    public async Task<ExportJob> GetJobAsync(string jobId) => (await JobStore.GetAsync(jobId))?.Job ?? throw new InvalidOperationException($"No job {jobId}.");

    public async ValueTask DisposeAsync() => await Services.DisposeAsync();
}
