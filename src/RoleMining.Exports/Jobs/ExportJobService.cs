using Microsoft.Extensions.Logging;
using RoleMining.Exports.Diagnostics;

namespace RoleMining.Exports;

/// <summary>A request for an export job.</summary>
public sealed record ExportJobRequest
{
    /// <summary>The role-mining session.</summary>
    public required string SessionId { get; init; }

    /// <summary>The potential role.</summary>
    public required string PotentialRoleId { get; init; }

    /// <summary>The export parameters.</summary>
    public ExportRequestOptions Options { get; init; } = ExportRequestOptions.Default;

    /// <summary>
    /// Optional key that makes the request idempotent: the same key always yields the same job (a retried HTTP POST or a
    /// re-run CLI command gets the job back instead of a second export). Reusing a key for other parameters is refused.
    /// </summary>
    public string? IdempotencyKey { get; init; }
}

/// <summary>The job a request yielded.</summary>
/// <param name="Job">The job.</param>
/// <param name="Created">False when the idempotency key matched an existing job.</param>
public sealed record ExportJobCreation(ExportJob Job, bool Created);

/// <summary>An idempotency key was reused for a different session, potential role or options.</summary>
public sealed class ExportJobConflictException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ExportJobConflictException()
        : base("The idempotency key belongs to a different export job.")
    {
    }

    /// <summary>Creates the exception.</summary>
    public ExportJobConflictException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public ExportJobConflictException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The job the key belongs to.</summary>
    public ExportJob? ExistingJob { get; init; }
}

/// <summary>
/// Creates export jobs (idempotently, with an optional key) and enqueues their start; reads them; resumes unfinished jobs
/// after a crash (the in-process driver keeps its queue in memory) or when their messages went missing (a timer in Azure).
/// </summary>
public sealed class ExportJobService
{
    private readonly IExportJobStore _jobs;
    private readonly IExportQueue _queue;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<ExportJobService> _logger;

    /// <summary>Creates the service.</summary>
    public ExportJobService(IExportJobStore jobs, IExportQueue queue, TimeProvider timeProvider, ILogger<ExportJobService> logger)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        ArgumentNullException.ThrowIfNull(queue);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        _jobs = jobs;
        _queue = queue;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>
    /// Creates a job and enqueues its start, or returns the job its idempotency key already names (enqueueing its start
    /// again if it was never claimed, in case the first request died before it could).
    /// </summary>
    /// <exception cref="ArgumentException">An id is not a safe path segment, or an option is out of range.</exception>
    /// <exception cref="ExportJobConflictException">The key belongs to a job with other parameters.</exception>
    public Task<ExportJobCreation> CreateAsync(ExportJobRequest request, CancellationToken cancellationToken = default) =>
        CreateAsync(request, newTrace: false, cancellationToken);

    private async Task<ExportJobCreation> CreateAsync(ExportJobRequest request, bool newTrace, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ExportJobIds.ThrowIfUnsafe(request.SessionId, nameof(request.SessionId));
        ExportJobIds.ThrowIfUnsafe(request.PotentialRoleId, nameof(request.PotentialRoleId));
        var options = request.Options ?? ExportRequestOptions.Default;
        if (options.MinEntitlementPopularity is < 0 or > 100)
        {
            throw new ArgumentException("MinEntitlementPopularity is a percentage: 0 to 100.", nameof(request));
        }

        if (request.IdempotencyKey is { Length: 0 or > 256 })
        {
            throw new ArgumentException("The idempotency key must be 1 to 256 characters.", nameof(request));
        }

        var jobId = request.IdempotencyKey is { } key ? ExportJobIds.FromIdempotencyKey(key) : ExportJobIds.NewJobId();
        using var activity = ExportsTelemetry.StartCreate(newTrace);
        activity?.SetTag(ExportsTelemetry.JobIdAttribute, jobId);
        while (true)
        {
            var now = _timeProvider.GetUtcNow();
            var job = new ExportJob
            {
                JobId = jobId,
                SessionId = request.SessionId,
                PotentialRoleId = request.PotentialRoleId,
                Options = options,
                IdempotencyKey = request.IdempotencyKey,
                State = ExportJobState.Queued,
                CreatedAt = now,
                UpdatedAt = now,
                Sequence = 1,
                NextStep = ExportStep.Start,
                NextStepDueAt = now,
                TraceParent = ExportsTelemetry.CurrentTraceParent(),
            };

            if (await _jobs.TryCreateAsync(job, cancellationToken).ConfigureAwait(false) is not null)
            {
                Log.JobCreated(_logger, jobId, job.SessionId, job.PotentialRoleId, options.ToKey());
                await SendCurrentAsync(job, cancellationToken).ConfigureAwait(false);
                return new ExportJobCreation(job, Created: true);
            }

            var existing = await _jobs.GetAsync(jobId, cancellationToken).ConfigureAwait(false);
            if (existing is null)
            {
                continue;
            }

            if (!string.Equals(existing.Job.SessionId, job.SessionId, StringComparison.Ordinal)
                || !string.Equals(existing.Job.PotentialRoleId, job.PotentialRoleId, StringComparison.Ordinal)
                || existing.Job.Options != options)
            {
                throw new ExportJobConflictException(
                    $"The idempotency key was used before for export job '{existing.Job.JobId}' (session '{existing.Job.SessionId}', potential role '{existing.Job.PotentialRoleId}', {existing.Job.Options.ToKey()}); use a new key for a different export.")
                {
                    ExistingJob = existing.Job,
                };
            }

            activity?.SetTag("rolemining.job_reused", true);
            Log.JobReused(_logger, jobId, existing.Job.State);
            if (existing.Job.State == ExportJobState.Queued)
            {
                await SendCurrentAsync(existing.Job, cancellationToken).ConfigureAwait(false);
            }

            return new ExportJobCreation(existing.Job, Created: false);
        }
    }

    /// <summary>
    /// Creates the jobs of a sweep plan (idempotent: the plan's keys make a repeated or concurrent sweep create nothing
    /// new). Each export gets a trace of its own, linked to the caller's span.
    /// </summary>
    public async Task<IReadOnlyList<ExportJobCreation>> StartPlannedAsync(ExportSweepPlan plan, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var created = new List<ExportJobCreation>(plan.ToStart.Count);
        foreach (var planned in plan.ToStart)
        {
            created.Add(await CreateAsync(new ExportJobRequest
            {
                SessionId = planned.SessionId,
                PotentialRoleId = planned.PotentialRoleId,
                Options = planned.Options,
                IdempotencyKey = planned.IdempotencyKey,
            }, newTrace: true, cancellationToken).ConfigureAwait(false));
        }

        return created;
    }

    /// <summary>Reads a job; null when there is none.</summary>
    public async Task<ExportJob?> GetAsync(string jobId, CancellationToken cancellationToken = default)
    {
        if (!ExportJobIds.IsSafeSegment(jobId))
        {
            return null;
        }

        return (await _jobs.GetAsync(jobId, cancellationToken).ConfigureAwait(false))?.Job;
    }

    /// <summary>Lists jobs.</summary>
    public IAsyncEnumerable<ExportJob> QueryAsync(ExportJobQuery query, CancellationToken cancellationToken = default) =>
        _jobs.QueryAsync(query, cancellationToken);

    /// <summary>
    /// Sends again the message every unfinished job waits for. With <paramref name="stalledFor"/> null: every unfinished
    /// job (after a crash of the in-process driver, whose queue was in memory). Otherwise only jobs whose message was due
    /// that long ago without the job moving, and that no live lease holds (a timer in Azure, for lost messages). Extra
    /// copies are harmless: only one message per sequence can move a job. Returns the jobs resumed.
    /// </summary>
    public async Task<IReadOnlyList<ExportJob>> ResumeAsync(TimeSpan? stalledFor = null, CancellationToken cancellationToken = default)
    {
        var now = _timeProvider.GetUtcNow();
        var resumed = new List<ExportJob>();
        var query = new ExportJobQuery { States = [ExportJobState.Queued, ExportJobState.Started, ExportJobState.Polling, ExportJobState.Downloading] };
        await foreach (var job in _jobs.QueryAsync(query, cancellationToken).ConfigureAwait(false))
        {
            if (stalledFor is { } stall)
            {
                var due = job.NextStepDueAt ?? job.UpdatedAt;
                var waiting = due > job.UpdatedAt ? due : job.UpdatedAt;
                if (waiting + stall > now || job.Lease is { } lease && lease.ExpiresAt > now)
                {
                    continue;
                }
            }

            await ResumeOneAsync(job, cancellationToken).ConfigureAwait(false);
            resumed.Add(job);
        }

        return resumed;
    }

    // In an async method of its own, so that the resume span it starts ends here and the caller's span stays current.
    private async Task ResumeOneAsync(ExportJob job, CancellationToken cancellationToken)
    {
        using var activity = ExportsTelemetry.StartResume(job);
        await SendCurrentAsync(job, cancellationToken).ConfigureAwait(false);
    }

    private async Task SendCurrentAsync(ExportJob job, CancellationToken cancellationToken)
    {
        var now = _timeProvider.GetUtcNow();
        var delay = job.NextStepDueAt is { } due && due > now ? due - now : TimeSpan.Zero;
        var message = ExportMessage.Create(job.NextStep, job.JobId, job.Sequence, now);
        await ExportsTelemetry.SendAsync(_queue, message, delay, cancellationToken).ConfigureAwait(false);
        Log.JobResumed(_logger, job.JobId, job.NextStep, job.Sequence, delay.TotalMilliseconds);
    }
}
