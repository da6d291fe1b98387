using RoleMining.Cli.Output;
using RoleMining.Exports;
using RoleMining.SailPoint.Models;

namespace RoleMining.Cli.Exports;

/// <summary>Configuration sections of the export commands, and the workflow defaults the command line uses.</summary>
internal static class ExportSettings
{
    /// <summary>The workflow options (<see cref="ExportWorkflowOptions"/>): <c>RoleMining__Exports__Polling__InitialDelay</c> etc.</summary>
    public const string WorkflowSection = "RoleMining:Exports";

    /// <summary>What <c>rolemining sweep</c> and <c>rolemining export --all</c> select (<see cref="SweepSettings"/>).</summary>
    public const string SweepSection = "RoleMining:Sweep";

    /// <summary>The artifact folder when neither <c>--out</c> nor configuration names one.</summary>
    public const string DefaultOutputDirectory = "exports";

    /// <summary>
    /// Defaults for a person waiting at a terminal, applied before configuration (which still wins): the first status poll
    /// after 2 s instead of 5 s, polls at most 15 s apart, a 15 s lease so that a rerun after Ctrl+C takes over an
    /// interrupted step quickly (a live step renews its lease every third of it), and a start that failed without a clear
    /// answer tried again after 15 s (then 30 s) instead of 10 minutes.
    /// </summary>
    public static void ApplyCommandLineDefaults(ExportWorkflowOptions options)
    {
        options.Polling.InitialDelay = TimeSpan.FromSeconds(2);
        options.Polling.MaxDelay = TimeSpan.FromSeconds(15);
        options.LeaseDuration = TimeSpan.FromSeconds(15);
        options.RetryBaseDelay = TimeSpan.FromSeconds(1);
        options.RetryMaxDelay = TimeSpan.FromSeconds(20);
        options.UncertainStart.RetryDelay = TimeSpan.FromSeconds(15);
    }
}

/// <summary>
/// The sessions a sweep selects, bound from <c>RoleMining:Sweep</c>: explicit <see cref="SessionIds"/> (default: every
/// session), the session <see cref="State"/> required (default <c>POTENTIAL_ROLES_CREATED</c>; <c>any</c> for none),
/// <see cref="SavedOnly"/>, and the export parameters of <c>rolemining sweep</c>.
/// </summary>
internal sealed class SweepSettings
{
    /// <summary>Only these sessions; empty: every session.</summary>
#pragma warning disable CA2227 // Bound from configuration.
    public List<string> SessionIds { get; set; } = [];
#pragma warning restore CA2227

    /// <summary>The state a session must be in, as SailPoint names it, or <c>any</c>.</summary>
    public string State { get; set; } = "POTENTIAL_ROLES_CREATED";

    /// <summary>Only sessions a person saved.</summary>
    public bool SavedOnly { get; set; }

    /// <summary>The minimum entitlement popularity of <c>rolemining sweep</c>'s exports.</summary>
    public int? MinEntitlementPopularity { get; set; }

    /// <summary>Whether <c>rolemining sweep</c>'s exports include common access.</summary>
    public bool? IncludeCommonAccess { get; set; }

    /// <summary>The planner's selection, with <paramref name="options"/> as export parameters.</summary>
    /// <exception cref="FormatException"><see cref="State"/> is not a session state.</exception>
    public ExportSweepSelection ToSelection(ExportRequestOptions options) => new()
    {
        SessionIds = SessionIds.Count > 0 ? SessionIds : null,
        RequiredState = ParseState(State),
        SavedOnly = SavedOnly,
        Options = options,
    };

    private static RoleMiningSessionState? ParseState(string? text)
    {
        if (string.IsNullOrWhiteSpace(text) || string.Equals(text, "any", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        foreach (var state in Enum.GetValues<RoleMiningSessionState>().Where(state => state != RoleMiningSessionState.Unknown))
        {
            if (string.Equals(Formatting.Enum<RoleMiningSessionState>(state), text, StringComparison.OrdinalIgnoreCase)
                || string.Equals(state.ToString(), text, StringComparison.OrdinalIgnoreCase))
            {
                return state;
            }
        }

        throw new FormatException($"{ExportSettings.SweepSection}:State '{text}' is not a role-mining session state (e.g. POTENTIAL_ROLES_CREATED, or any).");
    }
}
