using System.Globalization;
using RoleMining.Cli.Hosting;
using RoleMining.Exports;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace RoleMining.Cli.Exports;

/// <summary>The table printed when the exports ended, and the failed ones listed on standard error.</summary>
internal static class ExportSummary
{
    /// <summary>The state shown for a job the next run starts again.</summary>
    public const string StartsAgainState = "Unfinished";

    private const string StartsAgainReason = "The next run starts it again.";

    /// <summary>
    /// Writes the summary. <paramref name="startsAgain"/>: failed jobs that the next run starts again (a cancelled run's
    /// resumed exports that could not be continued), shown as unfinished rather than as failures.
    /// </summary>
    public static void Write(CliConsole console, IReadOnlyList<ExportJob> jobs, string artifactRoot, Func<ExportJob, bool>? startsAgain = null)
    {
        bool Failed(ExportJob job) => job.State == ExportJobState.Failed && startsAgain?.Invoke(job) != true;

        var ansi = console.CreateOutputConsole();
        if (console.IsOutputTerminal)
        {
            // A terminal is narrow: one table per session, so that two 36-character ids need not share a row.
            foreach (var session in jobs.GroupBy(job => job.SessionId, StringComparer.Ordinal))
            {
                ansi.Write(new Text($"Session {session.Key}", new Style(decoration: Decoration.Bold)));
                ansi.WriteLine();
                ansi.Write(BuildTable([.. session], withSession: false, TableBorder.Rounded, Failed));
            }
        }
        else
        {
            // Logs and pipes: one flat table whose every row names its session, for grep.
            ansi.Write(BuildTable(jobs, withSession: true, TableBorder.Simple, Failed));
        }

        var succeeded = jobs.Count(job => job.State == ExportJobState.Succeeded);
        var failed = jobs.Where(Failed).ToList();
        var unfinished = jobs.Count - succeeded - failed.Count;
        console.Output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{succeeded} succeeded, {failed.Count} failed{(unfinished > 0 ? $", {unfinished} unfinished" : string.Empty)}. Artifacts in {artifactRoot}"));

        foreach (var job in failed)
        {
            // One line per failure: a script (or a person scrolling a CI log) finds what to act on.
            console.Error.WriteLine($"Export failed: session {job.SessionId}, potential role {job.PotentialRoleId}: {CliErrors.WithCommandLineKeys(job.Failure?.Reason ?? "no reason recorded").ReplaceLineEndings(" ")}");
        }
    }

    private static Table BuildTable(IReadOnlyList<ExportJob> jobs, bool withSession, TableBorder border, Func<ExportJob, bool> failed)
    {
        var table = new Table().Border(border);
        foreach (var header in withSession ? ["session", "role", "state", "files", "rows", "size", "reason"] : new[] { "role", "state", "files", "rows", "size", "reason" })
        {
            // Ids stay whole (they are copied into the next command); the reason wraps instead.
            table.AddColumn(new TableColumn(header) { NoWrap = header is "session" or "role" or "state" });
        }

        foreach (var job in jobs)
        {
            var succeeded = job.State == ExportJobState.Succeeded;
            var rows = job.Artifacts.Where(artifact => artifact.RowCount is not null).Sum(artifact => artifact.RowCount!.Value);
            var cells = new List<IRenderable>();
            if (withSession)
            {
                cells.Add(new Text(job.SessionId));
            }

            cells.Add(new Text(job.PotentialRoleId));
            var startsAgain = job.State == ExportJobState.Failed && !failed(job);
            cells.Add(startsAgain
                ? new Text(StartsAgainState)
                : new Text(job.State.ToString(), job.State switch
                {
                    ExportJobState.Succeeded => new Style(Color.Green),
                    ExportJobState.Failed => new Style(Color.Red),
                    _ => Style.Plain,
                }));
            cells.Add(new Text(succeeded ? job.Artifacts.Count.ToString(CultureInfo.InvariantCulture) : string.Empty));
            cells.Add(new Text(succeeded ? rows.ToString(CultureInfo.InvariantCulture) : string.Empty));
            cells.Add(new Text(succeeded ? Size(job.Artifacts.Sum(artifact => artifact.Size)) : string.Empty));
            // The failure stays in view (a resumed export may have failed for a reason of its own, e.g. a damaged zip).
            var reason = CliErrors.WithCommandLineKeys(job.Failure?.Reason ?? string.Empty);
            cells.Add(new Text(startsAgain ? $"{reason} {StartsAgainReason}".TrimStart() : reason));
            table.AddRow(cells);
        }

        return table;
    }

    internal static string Size(long bytes) => bytes switch
    {
        < 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes} B"),
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024d:0.0} KB"),
        < 1024L * 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024d * 1024):0.0} MB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024d * 1024 * 1024):0.00} GB"),
    };
}
