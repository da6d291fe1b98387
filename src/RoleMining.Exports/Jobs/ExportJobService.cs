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

    /// <summary>
    /// A failed job whose finished SailPoint export the new job downloads (see <see cref="ExportJob.CanReuseExport"/>): it
    /// starts by polling that export instead of starting one. Null: a new SailPoint export.
    /// </summary>
    public ExportJob? ReuseExportOf { get; init; }

    /// <summary>The name of a configured completion callback to call when the job ends; null for none.</summary>
    public string? Callback { get; init; }
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
    private static readonly ExportJobQuery UnfinishedJobs = new() { States = [ExportJobState.Queued, ExportJobState.Started, ExportJobState.Polling, ExportJobState.Downloading] };

    // Ended jobs accumulate for ever, so the query names the pending callback: a store that keeps it beside the document
    // (the blob store's metadata) then reads only those jobs, not every job that ever ended, on every run.
    private static readonly ExportJobQuery PendingCallbacks = new() { States = [ExportJobState.Succeeded, ExportJobState.Failed], CallbackPending = true };

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

    /// <summary>The id of the job <paramref name="idempotencyKey"/> names in this service's job store.</summary>
    public string JobIdFor(string idempotencyKey) => ExportJobIds.FromIdempotencyKey(idempotencyKey, _jobs.JobIdScope);

    /// <summary>
    /// Creates a job and enqueues its start, or returns the job its idempotency key already names (enqueueing its start
    /// again if it was never claimed, in case the first request died before it could).
    /// </summary>
    /// <exception cref="ArgumentException">An id is not a safe path segment, or an option is out of range.</exception>
    /// <exception cref="ExportJobConflictException">The key belongs to a job with other parameters.</exception>
    public Task<ExportJobCreation> CreateAsync(ExportJobRequest request, CancellationToken cancellationToken = default) =>
        CreateAsync(request, newTrace: false, cancellationToken);

    /// <summary>
    /// As <see cref="CreateAsync(ExportJobRequest, CancellationToken)"/>, but the export gets a trace of its own, linked
    /// to the caller's span: for a caller that starts many exports at once (a session's batch), whose trace would
    /// otherwise hold every one of them, with all their polls and downloads.
    /// </summary>
    /// <exception cref="ArgumentException">An id is not a safe path segment, or an option is out of range.</exception>
    /// <exception cref="ExportJobConflictException">The key belongs to a job with other parameters.</exception>
    public Task<ExportJobCreation> CreateInOwnTraceAsync(ExportJobRequest request, CancellationToken cancellationToken = default) =>
        CreateAsync(request, newTrace: true, cancellationToken);

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

        var jobId = request.IdempotencyKey is { } key ? JobIdFor(key) : ExportJobIds.NewJobId();
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
                Callback = request.Callback is { } callback ? new ExportCallback { Name = callback } : null,
                TraceParent = ExportsTelemetry.CurrentTraceParent(),
            };
            if (request.ReuseExportOf is { CanReuseExport: true } reused
                && ExportJobIds.SameSailPointId(reused.SessionId, request.SessionId)
                && ExportJobIds.SameSailPointId(reused.PotentialRoleId, request.PotentialRoleId) && reused.Options == options)
            {
                // The poll step asks SailPoint for the export's status first: SUCCESS downloads it, a vanished export fails this job.
                job = job with
                {
                    State = ExportJobState.Polling,
                    NextStep = ExportStep.Poll,
                    ExportId = reused.ExportId,
                    ExportReusedFrom = reused.JobId,
                    StartedAt = now,
                    PollingSince = now,
                };
            }

            if (await _jobs.TryCreateAsync(job, cancellationToken).ConfigureAwait(false) is not null)
            {
                Log.JobCreated(_logger, jobId, job.SessionId, job.PotentialRoleId, options.ToKey());
                await SendCurrentAsync(job, again: false, cancellationToken).ConfigureAwait(false);
                return new ExportJobCreation(job, Created: true);
            }

            var existing = await _jobs.GetAsync(jobId, cancellationToken).ConfigureAwait(false);
            if (existing is null)
            {
                continue;
            }

            if (!ExportJobIds.SameSailPointId(existing.Job.SessionId, job.SessionId)
                || !ExportJobIds.SameSailPointId(existing.Job.PotentialRoleId, job.PotentialRoleId)
                || existing.Job.Options != options
                || !string.Equals(existing.Job.Callback?.Name, request.Callback, StringComparison.Ordinal))
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
                await SendCurrentAsync(existing.Job, again: true, cancellationToken).ConfigureAwait(false);
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
                ReuseExportOf = planned.ReuseExportOf,
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
    /// Sends again the message unfinished jobs wait for; returns the jobs resumed. Extra copies are harmless: only one
    /// message per sequence can move a job, and a copy that arrives while a step holds the job waits for its lease.
    /// <para>
    /// With <paramref name="stalledFor"/> null, every unfinished job (after a restart of the in-process driver, whose
    /// queue was in memory). Otherwise only the stalled ones (<see cref="ExportJob.IsStalled"/> with
    /// <paramref name="stalledFor"/> as the stall timeout): those whose step's lease ran out, and those whose message has
    /// been due that long without being claimed. This is the Functions app's resume timer: a message taken by an instance
    /// that died stays invisible in its queue for up to ten minutes, and the copy sent here lets another instance finish
    /// the job long before; when the original reappears, the job has moved on and it is dropped as a duplicate. Each
    /// stalled job is marked (<see cref="ExportJob.ResumedAt"/>) with an ETag-checked write before its copy is sent, so
    /// that overlapping runs, or a job that moved meanwhile, cause no copy; a job is resumed at most once per stall timeout.
    /// </para>
    /// </summary>
    public async Task<IReadOnlyList<ExportJob>> ResumeAsync(TimeSpan? stalledFor = null, CancellationToken cancellationToken = default)
    {
        var resumed = new List<ExportJob>();
        await foreach (var job in _jobs.QueryAsync(UnfinishedJobs, cancellationToken).ConfigureAwait(false))
        {
            var toSend = job;
            if (stalledFor is { } stall)
            {
                if (!job.IsStalled(_timeProvider.GetUtcNow(), stall)
                    || await TryMarkStalledAsync(job.JobId, stall, cancellationToken).ConfigureAwait(false) is not { } marked)
                {
                    continue;
                }

                toSend = marked;
            }

            await ResumeOneAsync(toSend, cancellationToken).ConfigureAwait(false);
            resumed.Add(toSend);
        }

        // Ended jobs whose completion callback was not delivered yet: its message may have died with a process.
        var now = _timeProvider.GetUtcNow();
        await foreach (var job in _jobs.QueryAsync(PendingCallbacks, cancellationToken).ConfigureAwait(false))
        {
            if (job.Callback is not { State: ExportCallbackState.Pending } callback)
            {
                continue;
            }

            var due = callback.NextAttemptAt ?? job.CompletedAt ?? job.UpdatedAt;
            if (stalledFor is { } stall && (due + stall > now || job.Lease is { } lease && lease.ExpiresAt > now))
            {
                continue;
            }

            var delay = due > now ? due - now : TimeSpan.Zero;
            using (ExportsTelemetry.StartResume(job))
            {
                await ExportsTelemetry.SendAsync(_queue, ExportMessage.Create(ExportStep.Callback, job.JobId, job.Sequence, now), delay, cancellationToken).ConfigureAwait(false);
            }

            Log.JobResumed(_logger, job.JobId, ExportStep.Callback, job.Sequence, delay.TotalMilliseconds);
            resumed.Add(job);
        }

        return resumed;
    }

    /// <summary>
    /// Ends at once the leases that jobs still hold (their expiry set to now), for a store that only this process works on:
    /// the command line's folder, which it holds locked, so that a lease found there was left by an earlier process that was
    /// stopped or killed, and nobody will renew it. Waiting it out (<see cref="ExportWorkflowOptions.LeaseDuration"/>) would
    /// hold a rerun up for nothing. The steps then take the jobs over as after any lease that ran out (an interrupted start
    /// is still recognised as one). Returns how many leases were ended. Never for a store other processes share.
    /// </summary>
    public async Task<int> EndLeasesOfEarlierProcessesAsync(CancellationToken cancellationToken = default)
    {
        var ended = 0;
        var now = _timeProvider.GetUtcNow();
        var leased = new List<string>();
        foreach (var query in new[] { UnfinishedJobs, PendingCallbacks })
        {
            await foreach (var job in _jobs.QueryAsync(query, cancellationToken).ConfigureAwait(false))
            {
                if (job.Lease is { } lease && lease.ExpiresAt > now)
                {
                    leased.Add(job.JobId);
                }
            }
        }

        foreach (var jobId in leased)
        {
            // Read again for its ETag; nothing else writes the store now, so a conflict means the job is not ours to change.
            if (await _jobs.GetAsync(jobId, cancellationToken).ConfigureAwait(false) is { Job.Lease: { } lease } stored && lease.ExpiresAt > now
                && await _jobs.TryReplaceAsync(stored.Job with { Lease = lease with { ExpiresAt = now } }, stored.ETag, cancellationToken).ConfigureAwait(false) is not null)
            {
                Log.EarlierProcessLeaseEnded(_logger, jobId, stored.Job.NextStep, lease.ExpiresAt);
                ended++;
            }
        }

        return ended;
    }

    /// <summary>
    /// Re-reads the job and, if it is still stalled, records the resume with its ETag; null when it is not stalled any more
    /// or changed meanwhile (a step moved it, or another resumer got there first).
    /// </summary>
    private async Task<ExportJob?> TryMarkStalledAsync(string jobId, TimeSpan stallTimeout, CancellationToken cancellationToken)
    {
        var stored = await _jobs.GetAsync(jobId, cancellationToken).ConfigureAwait(false);
        var now = _timeProvider.GetUtcNow();
        if (stored is null || !stored.Job.IsStalled(now, stallTimeout))
        {
            return null;
        }

        var job = stored.Job;
        var marked = job with { ResumedAt = now, Resumes = job.Resumes + 1 };
        if (await _jobs.TryReplaceAsync(marked, stored.ETag, cancellationToken).ConfigureAwait(false) is null)
        {
            return null;
        }

        var reason = job.Lease is { } lease
            ? FormattableString.Invariant($"the lease of its {job.NextStep} step ran out at {lease.ExpiresAt:O}")
            : FormattableString.Invariant($"its {job.NextStep} message was due at {job.NextStepDueAt ?? job.UpdatedAt:O} and nobody claimed it");
        Log.StalledJobResumed(_logger, job.JobId, job.State, reason, job.NextStep, job.Sequence);
        return marked;
    }

    // In an async method of its own, so that the resume span it starts ends here and the caller's span stays current.
    private async Task ResumeOneAsync(ExportJob job, CancellationToken cancellationToken)
    {
        using var activity = ExportsTelemetry.StartResume(job);
        await SendCurrentAsync(job, again: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends the job's current message (due when the job says); <paramref name="again"/>: it was sent before, and the log says so.</summary>
    private async Task SendCurrentAsync(ExportJob job, bool again, CancellationToken cancellationToken)
    {
        var now = _timeProvider.GetUtcNow();
        var delay = job.NextStepDueAt is { } due && due > now ? due - now : TimeSpan.Zero;
        var message = ExportMessage.Create(job.NextStep, job.JobId, job.Sequence, now);
        await ExportsTelemetry.SendAsync(_queue, message, delay, cancellationToken).ConfigureAwait(false);
        if (again)
        {
            // Not for a new job's first message: a search for resumed jobs must find crash recovery, not every creation.
            Log.JobResumed(_logger, job.JobId, job.NextStep, job.Sequence, delay.TotalMilliseconds);
        }
    }
}
