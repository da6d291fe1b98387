using System.Collections.Concurrent;
using RoleMining.Emulator;

namespace RoleMining.Exports.Tests.Support;

/// <summary>Fires the crash once: cancels the run's token, then throws as the dying step would.</summary>
internal sealed class Crash
{
    private int _fired;

    public CancellationTokenSource Source { get; } = new();

    public Task Fire(CancellationToken token)
    {
        Fire();
        token.ThrowIfCancellationRequested();
        throw new OperationCanceledException(Source.Token);
    }

    public void Fire()
    {
        if (Interlocked.Exchange(ref _fired, 1) == 0)
        {
            Source.Cancel();
        }
    }
}

/// <summary>How a <see cref="CrashingRun"/> ends at its hooked point.</summary>
internal enum CrashKind
{
    /// <summary>Killed (kill -9, a lost instance): its token is cancelled and nothing it writes to the job store afterwards is stored.</summary>
    Kill,

    /// <summary>Stopped (Ctrl+C, a shutdown): its token is cancelled and it may still write what a stopping step writes.</summary>
    Stop,
}

/// <summary>
/// One job in a harness whose client and artifact store crash the run at the hooked point, as a killed process (or a
/// killed Functions instance) would stop, or as a stopped one would (<see cref="CrashKind"/>): the message it was
/// working on goes with it.
/// </summary>
internal sealed class CrashingRun : IAsyncDisposable
{
    private readonly Crash _crash;
    private readonly TenantPotentialRole _role;
    private readonly ConcurrentQueue<ExportMessage> _sent;
    private string? _jobId;

    private readonly TimeProvider? _time;

    private CrashingRun(WorkflowHarness harness, Crash crash, TenantPotentialRole role, ConcurrentQueue<ExportMessage> sent, TimeSpan leaseDuration, TimeProvider? time)
    {
        _time = time;
        Harness = harness;
        _crash = crash;
        _role = role;
        _sent = sent;
        LeaseDuration = leaseDuration;
    }

    public WorkflowHarness Harness { get; }

    /// <summary>The lease duration of the crashing run and of the run that resumes it.</summary>
    public TimeSpan LeaseDuration { get; }

    /// <summary>Zip downloads the workflow made (counted before the test's own direct download).</summary>
    public long WorkflowDownloads { get; private set; }

    public long Creations => Harness.Emulator.Statistics.ExportCreationsFor(_role.Session.Id, _role.Id);

    public static async Task<CrashingRun> StartAsync(
        Action<Crash, HookedRoleMiningClient, HookedArtifactStore> hook, TimeSpan? leaseDuration = null, TimeProvider? time = null, CrashKind kind = CrashKind.Kill)
    {
        var lease = leaseDuration ?? TimeSpan.FromSeconds(1);
        var crash = new Crash();
        var sent = new ConcurrentQueue<ExportMessage>();
        HookedRoleMiningClient? client = null;
        HookedArtifactStore? artifacts = null;
        var harness = await WorkflowHarness.StartAsync(new HarnessSettings
        {
            Workflow = options => options.LeaseDuration = lease,
            Client = inner => client = new HookedRoleMiningClient(inner),
            Artifacts = inner => artifacts = new HookedArtifactStore(inner),
            Queue = inner => new RecordingExportQueue(inner, sent),
            JobStore = kind == CrashKind.Kill ? inner => new DeadAfterCrashJobStore(inner, crash) : null,
            Time = time,
        });
        _ = harness.Host.Services.GetService(typeof(IExportArtifactStore));
        _ = harness.Host.Services.GetService(typeof(RoleMining.SailPoint.IRoleMiningClient));
        hook(crash, client!, artifacts!);
        return new CrashingRun(harness, crash, harness.Emulator.CompletedRoles()[0], sent, lease, time);
    }

    /// <summary>Creates the job and runs until the hook kills the run; returns the job as the crash left it.</summary>
    public async Task<ExportJob> CrashAsync()
    {
        _jobId = (await Harness.Host.Jobs.CreateAsync(new ExportJobRequest { SessionId = _role.Session.Id, PotentialRoleId = _role.Id })).Job.JobId;
        await Harness.Host.RunUntilCrashAsync(_crash.Source);
        return await Harness.Host.GetJobAsync(_jobId);
    }

    /// <summary>The message the crashed run was working on when it died (the one a dead instance keeps invisible).</summary>
    public ExportMessage HeldMessage(ExportJob crashed) =>
        _sent.Last(message => message.JobId == crashed.JobId && message.Step == crashed.NextStep && message.Sequence == crashed.Sequence);

    /// <summary>
    /// A new process without hooks over the same stores (another instance, whose queue never saw the held message), on
    /// the crashed run's clock if it had one.
    /// </summary>
    public Task<WorkflowHost> StartSurvivorAsync() =>
        Harness.RestartAsync(new HarnessSettings { Workflow = options => options.LeaseDuration = LeaseDuration, Time = _time });

    /// <summary>A new process without hooks resumes from the stores and finishes the job.</summary>
    public async Task<ExportJob> ResumeAndAssertSucceededAsync(long expectedCreations)
    {
        var host = await StartSurvivorAsync();
        var resumed = await host.Jobs.ResumeAsync();
        Assert.Equal(_jobId, Assert.Single(resumed).JobId);
        return await FinishAndAssertSucceededAsync(host, expectedCreations);
    }

    /// <summary>Runs <paramref name="host"/> until idle and checks the job succeeded, complete and byte-exact.</summary>
    public async Task<ExportJob> FinishAndAssertSucceededAsync(WorkflowHost host, long expectedCreations)
    {
        await host.RunUntilIdleAsync();
        var job = await host.GetJobAsync(_jobId!);
        WorkflowDownloads = Harness.Emulator.Statistics.RequestsFor(OperationIds.DownloadRoleMiningPotentialRoleZip);
        var stored = await Harness.AssertSucceededAndCompleteAsync(job);
        Assert.Equal(await Harness.DirectDownloadAsync(job.SessionId, job.PotentialRoleId, job.ExportId!), stored);
        Assert.Equal(expectedCreations, Creations);
        return job;
    }

    public async ValueTask DisposeAsync()
    {
        await Harness.DisposeAsync();
        _crash.Source.Dispose();
    }

    /// <summary>Passes every message on and keeps a copy.</summary>
    private sealed class RecordingExportQueue(IExportQueue inner, ConcurrentQueue<ExportMessage> sent) : IExportQueue
    {
        public Task SendAsync(ExportMessage message, TimeSpan delay, CancellationToken cancellationToken = default)
        {
            sent.Enqueue(message);
            return inner.SendAsync(message, delay, cancellationToken);
        }
    }
}

/// <summary>The job store of a killed process: it stores nothing the process writes after the crash.</summary>
internal sealed class DeadAfterCrashJobStore(IExportJobStore inner, Crash crash) : IExportJobStore
{
    public string? JobIdScope => inner.JobIdScope;

    public Task<StoredExportJob?> GetAsync(string jobId, CancellationToken cancellationToken = default) => inner.GetAsync(jobId, cancellationToken);

    public Task<StoredExportJob?> TryCreateAsync(ExportJob job, CancellationToken cancellationToken = default)
    {
        ThrowIfDead();
        return inner.TryCreateAsync(job, cancellationToken);
    }

    public Task<StoredExportJob?> TryReplaceAsync(ExportJob job, string etag, CancellationToken cancellationToken = default)
    {
        ThrowIfDead();
        return inner.TryReplaceAsync(job, etag, cancellationToken);
    }

    public IAsyncEnumerable<ExportJob> QueryAsync(ExportJobQuery query, CancellationToken cancellationToken = default) => inner.QueryAsync(query, cancellationToken);

    private void ThrowIfDead()
    {
        if (crash.Source.IsCancellationRequested)
        {
            throw new OperationCanceledException("The process was killed: nothing it writes now is stored.", crash.Source.Token);
        }
    }
}
