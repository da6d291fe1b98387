using System.Globalization;
using RoleMining.Cli.Hosting;
using Spectre.Console;

namespace RoleMining.Cli.Output;

/// <summary>
/// Shows how many records were fetched while a list is written to a file: a progress bar on a terminal, one plain line
/// per page otherwise (CI logs). Nothing is shown when records go to standard output: the records are the progress.
/// </summary>
internal static class PageProgress
{
    /// <summary>Runs <paramref name="work"/>, which reports (records so far, total if known) after each page.</summary>
    public static async Task<long> RunAsync(CliConsole console, bool show, string noun, Func<Action<long, int?>, Task<long>> work)
    {
        if (!show)
        {
            return await work(static (_, _) => { });
        }

        if (!console.IsOutputTerminal)
        {
            var page = 0;
            return await work((count, total) =>
            {
                page++;
                console.Output.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"page {page}: {count}{(total is { } known ? $" of {known}" : string.Empty)} {noun}"));
            });
        }

        long result = 0;
        await console.CreateOutputConsole()
            .Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask(noun);
                task.IsIndeterminate = true;
                result = await work((count, total) =>
                {
                    if (total is { } known)
                    {
                        task.IsIndeterminate = false;
                        task.MaxValue = Math.Max(1, known);
                    }

                    task.Value = count;
                    task.Description = string.Create(CultureInfo.InvariantCulture, $"{count} {noun}");
                });
                task.Value = task.MaxValue;
                task.StopTask();
            });
        return result;
    }
}
