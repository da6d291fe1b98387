using System.Globalization;
using RoleMining.Cli.Hosting;
using Spectre.Console;

namespace RoleMining.Cli.Output;

/// <summary>
/// Shows how many records were fetched while a list is written to a file: a progress bar on a terminal, plain lines
/// otherwise (CI logs): the first page, then at most one line every <see cref="PlainInterval"/>, and the last page.
/// Nothing is shown when records go to standard output: the records are the progress.
/// </summary>
internal static class PageProgress
{
    /// <summary>How often a plain progress line is written at most (a large role has hundreds of pages).</summary>
    public static readonly TimeSpan PlainInterval = TimeSpan.FromSeconds(5);

    /// <summary>Runs <paramref name="work"/>, which reports (records so far, total if known) after each page.</summary>
    public static async Task<long> RunAsync(CliConsole console, bool show, string noun, Func<Action<long, int?>, Task<long>> work, TimeProvider? time = null)
    {
        if (!show)
        {
            return await work(static (_, _) => { });
        }

        if (!console.IsOutputTerminal)
        {
            time ??= TimeProvider.System;
            var page = 0;
            long? lastLine = null;
            return await work((count, total) =>
            {
                page++;
                var last = total is { } all && count >= all;
                if (lastLine is { } previous && !last && time.GetElapsedTime(previous) < PlainInterval)
                {
                    return;
                }

                lastLine = time.GetTimestamp();
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
