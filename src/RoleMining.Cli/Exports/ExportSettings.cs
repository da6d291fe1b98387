using RoleMining.Exports;

namespace RoleMining.Cli.Exports;

/// <summary>Configuration sections of the export commands, and the workflow defaults the command line uses.</summary>
internal static class ExportSettings
{
    /// <summary>The workflow options (<see cref="ExportWorkflowOptions"/>): <c>RoleMining__Exports__Polling__InitialDelay</c> etc.</summary>
    public const string WorkflowSection = "RoleMining:Exports";

    /// <summary>The artifact folder when neither <c>--out</c> nor configuration names one.</summary>
    public const string DefaultOutputDirectory = "exports";

    /// <summary>
    /// Defaults for a person waiting at a terminal, applied before configuration (which still wins): the first status poll
    /// after 2 s instead of 5 s, polls at most 15 s apart, a 15 s lease so that a rerun after the process was killed takes
    /// over its step quickly (a live step renews its lease every third of it; a download stopped by Ctrl+C gives it back
    /// at once), a start that failed without a clear answer tried again after 15 s (then 30 s) instead of 10 minutes, and
    /// a step SailPoint failed for a passing reason tried again 3 times (after 2 s, 4 s and 8 s, or once an open circuit's
    /// break is over) instead of 8 times over an hour: a person waits, and the in-process driver's own redeliveries follow.
    /// <para>
    /// <paramref name="serving"/> (<c>serve</c>) keeps the library's retries of such a step (8 over about an hour), as the
    /// Functions app does: its callers poll their jobs, nobody waits at a terminal, and an outage of SailPoint for minutes
    /// must not fail the exports it runs.
    /// </para>
    /// </summary>
    public static void ApplyCommandLineDefaults(ExportWorkflowOptions options, bool serving)
    {
        options.Polling.InitialDelay = TimeSpan.FromSeconds(2);
        options.Polling.MaxDelay = TimeSpan.FromSeconds(15);
        options.LeaseDuration = TimeSpan.FromSeconds(15);
        options.RetryBaseDelay = TimeSpan.FromSeconds(1);
        options.RetryMaxDelay = TimeSpan.FromSeconds(20);
        options.UncertainStart.RetryDelay = TimeSpan.FromSeconds(15);
        if (!serving)
        {
            options.TransientRetry.MaxRetries = 3;
            options.TransientRetry.InitialDelay = TimeSpan.FromSeconds(2);
            options.TransientRetry.MaxDelay = TimeSpan.FromSeconds(30);
        }
    }
}
