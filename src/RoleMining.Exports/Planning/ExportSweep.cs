using System.Diagnostics;

namespace RoleMining.Exports;

/// <summary>What one sweep run did.</summary>
/// <param name="Plan">The plan: roles to start, roles already covered, sessions matched.</param>
/// <param name="Created">The jobs the plan yielded (<see cref="ExportJobCreation.Created"/> false: the job existed).</param>
public sealed record ExportSweepRun(ExportSweepPlan Plan, IReadOnlyList<ExportJobCreation> Created);

/// <summary>
/// One run of the scheduled sweep, as a host's timer calls it: plans (<see cref="ExportSweepPlanner"/>), starts the planned
/// jobs (<see cref="ExportJobService.StartPlannedAsync"/>, one trace per export, each linked to the sweep's span), and
/// counts the run as completed or failed (<see cref="ExportsTelemetry.SweepRunsInstrument"/>), which is what the
/// "sweep did not finish" alert watches.
/// </summary>
public sealed class ExportSweep
{
    private readonly ExportSweepPlanner _planner;
    private readonly ExportJobService _jobs;
    private readonly ExportsMetrics _metrics;

    /// <summary>Creates the sweep.</summary>
    public ExportSweep(ExportSweepPlanner planner, ExportJobService jobs, ExportsMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(planner);
        ArgumentNullException.ThrowIfNull(jobs);
        ArgumentNullException.ThrowIfNull(metrics);
        _planner = planner;
        _jobs = jobs;
        _metrics = metrics;
    }

    /// <summary>Plans and starts the exports of <paramref name="selection"/>.</summary>
    public async Task<ExportSweepRun> RunAsync(ExportSweepSelection selection, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(selection);
        using var activity = ExportsTelemetry.Source.StartActivity("export.sweep");
        try
        {
            var plan = await _planner.PlanAsync(selection, cancellationToken).ConfigureAwait(false);
            var created = await _jobs.StartPlannedAsync(plan, cancellationToken).ConfigureAwait(false);
            var createdCount = created.Count(creation => creation.Created);
            _metrics.SweepCompleted(createdCount, plan.Covered.Count + created.Count - createdCount);
            activity?.SetTag("rolemining.sweep.sessions", plan.SessionIds.Count);
            activity?.SetTag("rolemining.sweep.created", createdCount);
            activity?.SetTag("rolemining.sweep.covered", plan.Covered.Count);
            return new ExportSweepRun(plan, created);
        }
        catch (Exception exception)
        {
            // Cancelled by a shutdown too: the sweep did not finish, and the next run picks up what it left.
            _metrics.SweepFailed(exception);
            activity.Fail(exception);
            throw;
        }
    }
}
