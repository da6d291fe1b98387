using System.Globalization;
using Microsoft.Extensions.Logging;
using RoleMining.Exports.Diagnostics;
using RoleMining.SailPoint;
using RoleMining.SailPoint.Models;

namespace RoleMining.Exports;

/// <summary>Which sessions a sweep exports, and how.</summary>
public sealed record ExportSweepSelection
{
    /// <summary>Only these sessions (null: every session of the tenant that passes the other filters).</summary>
    public IReadOnlyList<string>? SessionIds { get; init; }

    /// <summary>Only sessions in this state (null: any state). Default: complete sessions.</summary>
    public RoleMiningSessionState? RequiredState { get; init; } = RoleMiningSessionState.PotentialRolesCreated;

    /// <summary>Only sessions a person saved.</summary>
    public bool SavedOnly { get; init; }

    /// <summary>The export parameters of the jobs the sweep starts.</summary>
    public ExportRequestOptions Options { get; init; } = ExportRequestOptions.Default;
}

/// <summary>A potential role the sweep considers.</summary>
/// <param name="SessionId">Its session.</param>
/// <param name="PotentialRoleId">The potential role.</param>
public sealed record SweepCandidate(string SessionId, string PotentialRoleId);

/// <summary>An export the sweep starts; its idempotency key makes a repeated or concurrent sweep land on the same job.</summary>
/// <param name="SessionId">The session.</param>
/// <param name="PotentialRoleId">The potential role.</param>
/// <param name="Options">The export parameters.</param>
/// <param name="IdempotencyKey">The key of its job.</param>
public sealed record PlannedExport(string SessionId, string PotentialRoleId, ExportRequestOptions Options, string IdempotencyKey)
{
    /// <summary>The latest failed job of the role when its finished SailPoint export can be downloaded again (no new export).</summary>
    public ExportJob? ReuseExportOf { get; init; }

    /// <summary>The SailPoint export the job will download instead of starting one, if any.</summary>
    public string? ReuseExportId => ReuseExportOf?.ExportId;
}

/// <summary>A potential role left alone because a job already covers it.</summary>
/// <param name="SessionId">The session.</param>
/// <param name="PotentialRoleId">The potential role.</param>
/// <param name="JobId">The covering job.</param>
/// <param name="State">Its state (running or succeeded).</param>
public sealed record CoveredExport(string SessionId, string PotentialRoleId, string JobId, ExportJobState State);

/// <summary>What a sweep would do.</summary>
/// <param name="ToStart">Exports to start.</param>
/// <param name="Covered">Potential roles that already have a running or succeeded job.</param>
/// <param name="SessionIds">The sessions the selection matched.</param>
public sealed record ExportSweepPlan(IReadOnlyList<PlannedExport> ToStart, IReadOnlyList<CoveredExport> Covered, IReadOnlyList<string> SessionIds)
{
    /// <summary>Sessions the selection named explicitly that SailPoint does not know (the plan leaves them out).</summary>
    public IReadOnlyList<string> UnknownSessionIds { get; init; } = [];
}

/// <summary>
/// Plans the scheduled sweep: finds the selected sessions and their potential roles in SailPoint, and returns the roles
/// that have no job that is running or succeeded. Running it again after starting the plan finds nothing new; two sweeps
/// at once plan the same idempotency keys, so they create the same jobs.
/// </summary>
public sealed class ExportSweepPlanner
{
    private readonly IRoleMiningClient _client;
    private readonly IExportJobStore _jobs;
    private readonly ILogger<ExportSweepPlanner> _logger;

    /// <summary>Creates the planner.</summary>
    public ExportSweepPlanner(IRoleMiningClient client, IExportJobStore jobs, ILogger<ExportSweepPlanner> logger)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(jobs);
        ArgumentNullException.ThrowIfNull(logger);
        _client = client;
        _jobs = jobs;
        _logger = logger;
    }

    /// <summary>Reads the selected sessions, their potential roles and the stored jobs, and plans.</summary>
    public async Task<ExportSweepPlan> PlanAsync(ExportSweepSelection selection, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(selection);
        var sessions = new List<RoleMiningSession>();
        var unknown = new List<string>();
        if (selection.SessionIds is { } ids)
        {
            foreach (var id in ids.Distinct(StringComparer.Ordinal))
            {
                try
                {
                    sessions.Add(await _client.GetSessionAsync(id, cancellationToken).ConfigureAwait(false));
                }
                catch (SailPointException exception) when (exception.IsNotFound)
                {
                    Log.SweepSessionSkipped(_logger, id, "SailPoint does not know it");
                    unknown.Add(id);
                }
            }
        }
        else
        {
            await foreach (var session in _client.GetSessionsAsync(null, cancellationToken).ConfigureAwait(false))
            {
                sessions.Add(session);
            }
        }

        var selected = new List<string>();
        foreach (var session in sessions)
        {
            if (session.Id is not { } id || !ExportJobIds.IsSafeSegment(id))
            {
                continue;
            }

            if (selection.RequiredState is { } state && session.Status?.State != state)
            {
                if (selection.SessionIds is not null)
                {
                    Log.SweepSessionSkipped(_logger, id, $"it is {session.Status?.State.ToString() ?? "of unknown state"}, not {state}");
                }

                continue;
            }

            if (selection.SavedOnly && session.Saved != true)
            {
                continue;
            }

            selected.Add(id);
        }

        var candidates = new List<SweepCandidate>();
        var existing = new List<ExportJob>();
        foreach (var sessionId in selected)
        {
            await foreach (var role in _client.GetPotentialRoleSummariesAsync(sessionId, null, cancellationToken).ConfigureAwait(false))
            {
                if (ExportJobIds.IsSafeSegment(role.Id))
                {
                    candidates.Add(new SweepCandidate(sessionId, role.Id!));
                }
            }

            await foreach (var job in _jobs.QueryAsync(new ExportJobQuery { SessionId = sessionId }, cancellationToken).ConfigureAwait(false))
            {
                existing.Add(job);
            }
        }

        var plan = Plan(candidates, existing, selection.Options) with { SessionIds = selected, UnknownSessionIds = unknown };
        Log.SweepPlanned(_logger, plan.ToStart.Count, plan.Covered.Count, selected.Count);
        return plan;
    }

    /// <summary>
    /// The pure core: every candidate without a running or succeeded job is to start, under a key no job of the role has
    /// yet (<see cref="SweepKey"/>), so that a new job follows each failed one; when the
    /// latest failed job's SailPoint export is finished and only its download failed, the new job downloads that export.
    /// </summary>
    public static ExportSweepPlan Plan(IEnumerable<SweepCandidate> candidates, IEnumerable<ExportJob> existingJobs, ExportRequestOptions options)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(existingJobs);
        ArgumentNullException.ThrowIfNull(options);
        // SailPoint ids are hex and compared without case (ExportJobIds.SameSailPointId): a job stored before ids were
        // lowercased may carry capitals, and must still cover its role.
        var jobsByRole = existingJobs
            .GroupBy(job => RoleKey(job.SessionId, job.PotentialRoleId), StringComparer.OrdinalIgnoreCase)
            .ToDictionary(group => group.Key, group => group.ToList(), StringComparer.OrdinalIgnoreCase);
        var toStart = new List<PlannedExport>();
        var covered = new List<CoveredExport>();
        foreach (var candidate in candidates.Distinct())
        {
            var jobs = jobsByRole.GetValueOrDefault(RoleKey(candidate.SessionId, candidate.PotentialRoleId)) ?? [];
            var covering = jobs
                .Where(job => job.IsActiveOrSucceeded)
                .OrderBy(job => job.State == ExportJobState.Succeeded ? 0 : 1)
                .ThenByDescending(job => job.CreatedAt)
                .FirstOrDefault();
            if (covering is not null)
            {
                covered.Add(new CoveredExport(candidate.SessionId, candidate.PotentialRoleId, covering.JobId, covering.State));
                continue;
            }

            var key = SweepKey(candidate, options, jobs);
            var latest = jobs.Where(job => job.Options == options).MaxBy(job => job.CreatedAt);
            toStart.Add(new PlannedExport(candidate.SessionId, candidate.PotentialRoleId, options, key)
            {
                ReuseExportOf = latest is { CanReuseExport: true } ? latest : null,
            });
        }

        var sessions = toStart.Select(planned => planned.SessionId).Concat(covered.Select(skip => skip.SessionId)).Distinct(StringComparer.Ordinal).ToList();
        return new ExportSweepPlan(toStart, covered, sessions);
    }

    /// <summary>The role's key, compared without case as <see cref="ExportJobIds.SameSailPointId"/> compares ids.</summary>
    private static string RoleKey(string sessionId, string potentialRoleId) => sessionId + "/" + potentialRoleId;

    /// <summary>
    /// <c>sweep/{session}/{role}/{options}/{n}</c>, with n the role's job count, or one past the highest n a sweep job of
    /// the role already has: a job document deleted by hand (or a CLI user's cleanup) lowers the count, and a key that
    /// named a surviving failed job would give that failed job back instead of a new one.
    /// </summary>
    private static string SweepKey(SweepCandidate candidate, ExportRequestOptions options, List<ExportJob> jobs)
    {
        var prefix = $"sweep/{candidate.SessionId}/{candidate.PotentialRoleId}/{options.ToKey()}/";
        var next = jobs.Count;
        foreach (var job in jobs)
        {
            if (job.IdempotencyKey is { } used
                && used.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)
                && int.TryParse(used.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var n)
                && n >= next)
            {
                next = n + 1;
            }
        }

        return prefix + next.ToString(CultureInfo.InvariantCulture);
    }
}
