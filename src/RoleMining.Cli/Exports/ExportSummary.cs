using System.Globalization;
using RoleMining.Cli.Hosting;
using RoleMining.Exports;
using Spectre.Console;

namespace RoleMining.Cli.Exports;

/// <summary>The table printed when the exports ended, and the failed ones listed on standard error.</summary>
internal static class ExportSummary
{
    public static void Write(CliConsole console, IReadOnlyList<ExportJob> jobs, string artifactRoot)
    {
        var table = new Table().Border(console.IsOutputTerminal ? TableBorder.Rounded : TableBorder.Simple);
        foreach (var header in new[] { "session", "role", "state", "files", "rows", "size", "reason" })
        {
            table.AddColumn(new TableColumn(header));
        }

        foreach (var job in jobs)
        {
            var rows = job.Artifacts.Where(artifact => artifact.RowCount is not null).Sum(artifact => artifact.RowCount!.Value);
            table.AddRow(
                new Text(job.SessionId),
                new Text(job.PotentialRoleId),
                new Text(job.State.ToString(), job.State switch
                {
                    ExportJobState.Succeeded => new Style(Color.Green),
                    ExportJobState.Failed => new Style(Color.Red),
                    _ => Style.Plain,
                }),
                new Text(job.State == ExportJobState.Succeeded ? job.Artifacts.Count.ToString(CultureInfo.InvariantCulture) : string.Empty),
                new Text(job.State == ExportJobState.Succeeded ? rows.ToString(CultureInfo.InvariantCulture) : string.Empty),
                new Text(job.State == ExportJobState.Succeeded ? Size(job.Artifacts.Sum(artifact => artifact.Size)) : string.Empty),
                new Text(job.Failure?.Reason ?? string.Empty));
        }

        var ansi = console.CreateOutputConsole();
        ansi.Write(table);

        var succeeded = jobs.Count(job => job.State == ExportJobState.Succeeded);
        var failed = jobs.Where(job => job.State == ExportJobState.Failed).ToList();
        var unfinished = jobs.Count - succeeded - failed.Count;
        console.Output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{succeeded} succeeded, {failed.Count} failed{(unfinished > 0 ? $", {unfinished} unfinished" : string.Empty)}. Artifacts in {artifactRoot}"));

        foreach (var job in failed)
        {
            // One line per failure: a script (or a person scrolling a CI log) finds what to act on.
            console.Error.WriteLine($"Export failed: session {job.SessionId}, potential role {job.PotentialRoleId}: {(job.Failure?.Reason ?? "no reason recorded").ReplaceLineEndings(" ")}");
        }
    }

    internal static string Size(long bytes) => bytes switch
    {
        < 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes} B"),
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024d:0.0} KB"),
        < 1024L * 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024d * 1024):0.0} MB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024d * 1024 * 1024):0.00} GB"),
    };
}
