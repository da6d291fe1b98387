using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RoleMining.Cli.Exports;
using RoleMining.Cli.Hosting;
using RoleMining.Exports;

namespace RoleMining.Cli.Commands;

/// <summary>
/// <c>rolemining sweep</c>: what the scheduled timer does, once: plan (the sessions RoleMining:Sweep selects, their
/// potential roles without a running or succeeded job), start, and wait for every export to end.
/// </summary>
internal static class SweepCommand
{
    public static Command Create(CommandExecution execution)
    {
        var outDirectory = ExportCommand.OutDirectory();
        var blobContainer = ExportCommand.BlobContainer();
        var command = new Command(
            "sweep",
            "Export every potential role that has no running or succeeded export yet, of the sessions RoleMining:Sweep selects "
            + "(SessionIds, State (default POTENTIAL_ROLES_CREATED), SavedOnly, MinEntitlementPopularity, IncludeCommonAccess), and wait for them.")
        {
            outDirectory,
            blobContainer,
        };
        command.SetAction((parseResult, cancellationToken) =>
        {
            var outValue = parseResult.GetValue(outDirectory);
            var blobValue = parseResult.GetValue(blobContainer);
            return execution.RunAsync(
                parseResult,
                (run, token) =>
                {
                    var export = new ExportSession(run, ExportCommand.ArtifactRootOf(run), "sweep");
                    return export.RunAsync(prepareToken => PrepareAsync(run, export, prepareToken), token);
                },
                cancellationToken,
                preflight: _ =>
                {
                    ExportCommand.RequireUsableDirectory(execution.Context, outValue);
                    BlobArtifactContainer.RequireValidArgument(blobValue);
                },
                addServices: ExportSession.Services(execution.Context, outValue, blobValue));
        });
        return command;
    }

    /// <summary>
    /// The <c>RoleMining:Sweep</c> selection (<see cref="ExportSweepOptions"/>, validated when the run started), with
    /// <paramref name="options"/> as export parameters when given.
    /// </summary>
    internal static ExportSweepSelection ReadSelection(CliRun run, ExportRequestOptions? options) =>
        run.Services.GetRequiredService<IOptions<ExportSweepOptions>>().Value.ToSelection(options);

    /// <summary>
    /// An explicitly selected session that SailPoint does not know is an error (exit code 1), before anything starts: a typo
    /// in RoleMining:Sweep:SessionIds must not end as "Nothing to export." or as an export of the other sessions only.
    /// </summary>
    internal static ExportSweepPlan RequireKnownSessions(ExportSweepPlan plan)
    {
        if (plan.UnknownSessionIds.Count > 0)
        {
            throw new CliException(
                ExitCodes.Failed,
                $"{ExportSweepOptions.SectionName}:SessionIds names '{string.Join("', '", plan.UnknownSessionIds)}', but SailPoint has no role-mining session with "
                + $"{(plan.UnknownSessionIds.Count == 1 ? "that id" : "those ids")}. Nothing was exported; correct or remove the id.");
        }

        return plan;
    }

    /// <summary>
    /// Says why the sweep's selection gave no potential role at all (no session matched, or the sessions have none), before
    /// "Nothing to export.": a state or saved-only filter that matches nothing should be seen, not guessed.
    /// </summary>
    internal static async Task ReportEmptySelectionAsync(CliRun run, ExportSweepPlan plan)
    {
        if (plan.ToStart.Count > 0 || plan.Covered.Count > 0)
        {
            return;
        }

        if (plan.SessionIds.Count > 0)
        {
            await run.Console.Output.WriteLineAsync($"The {plan.SessionIds.Count} session(s) {ExportSweepOptions.SectionName} selects have no potential roles.");
            return;
        }

        var sweep = run.Services.GetRequiredService<IOptions<ExportSweepOptions>>().Value;
        List<string> criteria =
        [
            string.IsNullOrWhiteSpace(sweep.State) || string.Equals(sweep.State, ExportSweepOptions.AnyState, StringComparison.OrdinalIgnoreCase)
                ? "any state"
                : $"State {sweep.State}",
        ];
        if (sweep.SavedOnly)
        {
            criteria.Add("SavedOnly");
        }

        if (sweep.SessionIds.Count > 0)
        {
            criteria.Add($"SessionIds {string.Join(", ", sweep.SessionIds)}");
        }

        await run.Console.Output.WriteLineAsync($"No role-mining session matches {ExportSweepOptions.SectionName} ({string.Join("; ", criteria)}).");
    }

    private static async Task<IReadOnlyList<string>> PrepareAsync(CliRun run, ExportSession export, CancellationToken cancellationToken)
    {
        var selection = ReadSelection(run, options: null);
        var plan = RequireKnownSessions(await export.Planner.PlanAsync(selection, cancellationToken));
        await ReportEmptySelectionAsync(run, plan);
        var created = await export.Jobs.StartPlannedAsync(plan, cancellationToken);
        export.ReportReusedExports(created);
        var done = plan.Covered.Count(covered => covered.State == ExportJobState.Succeeded);
        if (done > 0)
        {
            await run.Console.Output.WriteLineAsync($"{done} potential role(s) already exported; skipped.");
        }

        // Covered jobs that are still running were resumed by the session; they belong in the summary.
        return created.Select(creation => creation.Job.JobId)
            .Concat(plan.Covered.Where(covered => covered.State != ExportJobState.Succeeded).Select(covered => covered.JobId))
            .ToList();
    }
}
