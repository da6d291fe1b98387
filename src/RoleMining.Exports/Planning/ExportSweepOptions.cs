using System.Reflection;
using System.Text.Json.Serialization;
using RoleMining.SailPoint.Models;

namespace RoleMining.Exports;

/// <summary>
/// Which role-mining sessions a sweep exports, and how: the one model of <c>RoleMining:Sweep</c> for every host (the
/// Functions timer, <c>rolemining sweep</c>, <c>rolemining export --all</c> and the schedule of <c>rolemining serve</c>).
/// Bound by the configuration binder and <see cref="DelimitedListAttribute.AddSingleValueItems"/> (registered by <c>AddExportSweepOptions</c>) and validated at start
/// by <see cref="ExportSweepOptionsValidator"/>.
/// </summary>
public sealed class ExportSweepOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "RoleMining:Sweep";

    /// <summary>The <see cref="State"/> that selects sessions in any state.</summary>
    public const string AnyState = "any";

    /// <summary>
    /// Only these sessions; empty: every session that passes the other filters. A list
    /// (<c>RoleMining__Sweep__SessionIds__0</c>, <c>__1</c>, ...; a JSON array) or one value separated by commas, semicolons
    /// or spaces (<c>RoleMining__Sweep__SessionIds=a,b</c>, as the Bicep sets it); both forms together add up.
    /// </summary>
    [DelimitedList]
#pragma warning disable CA2227 // Bound from configuration.
    public List<string> SessionIds { get; set; } = [];
#pragma warning restore CA2227

    /// <summary>
    /// The state a session must be in, as SailPoint names it (default <c>POTENTIAL_ROLES_CREATED</c>: complete sessions), or
    /// <c>any</c>.
    /// </summary>
    public string State { get; set; } = "POTENTIAL_ROLES_CREATED";

    /// <summary>Only sessions a person saved in SailPoint.</summary>
    public bool SavedOnly { get; set; }

    /// <summary>The minimum popularity (0-100) of an exported entitlement; null leaves it to SailPoint.</summary>
    public int? MinEntitlementPopularity { get; set; }

    /// <summary>Whether entitlements common to the whole organisation are exported; null leaves it to SailPoint.</summary>
    public bool? IncludeCommonAccess { get; set; }

    /// <summary>The export parameters of <see cref="MinEntitlementPopularity"/> and <see cref="IncludeCommonAccess"/>.</summary>
    public ExportRequestOptions ExportOptions => new()
    {
        MinEntitlementPopularity = MinEntitlementPopularity,
        IncludeCommonAccess = IncludeCommonAccess,
    };

    /// <summary>
    /// The planner's selection, with <paramref name="exportOptions"/> as export parameters (default:
    /// <see cref="ExportOptions"/>).
    /// </summary>
    /// <exception cref="FormatException"><see cref="State"/> is not a session state (the validator reports it first).</exception>
    public ExportSweepSelection ToSelection(ExportRequestOptions? exportOptions = null)
    {
        var ids = SessionIds.Where(id => !string.IsNullOrWhiteSpace(id)).Select(id => id.Trim()).Distinct(StringComparer.Ordinal).ToList();
        return new ExportSweepSelection
        {
            SessionIds = ids.Count > 0 ? ids : null,
            RequiredState = TryParseState(State, out var state)
                ? state
                : throw new FormatException(ExportSweepOptionsValidator.StateProblem(State)),
            SavedOnly = SavedOnly,
            Options = exportOptions ?? ExportOptions,
        };
    }

    /// <summary>
    /// Reads a session state as SailPoint writes it (<c>POTENTIAL_ROLES_CREATED</c>) or as .NET names it
    /// (<c>PotentialRolesCreated</c>), case-insensitively; empty or <c>any</c> is null (any state).
    /// </summary>
    public static bool TryParseState(string? text, out RoleMiningSessionState? state)
    {
        state = null;
        if (string.IsNullOrWhiteSpace(text) || string.Equals(text.Trim(), AnyState, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        foreach (var field in typeof(RoleMiningSessionState).GetFields(BindingFlags.Public | BindingFlags.Static))
        {
            var value = (RoleMiningSessionState)field.GetValue(null)!;
            var wireName = field.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name;
            if (value != RoleMiningSessionState.Unknown
                && (string.Equals(wireName, text.Trim(), StringComparison.OrdinalIgnoreCase) || string.Equals(field.Name, text.Trim(), StringComparison.OrdinalIgnoreCase)))
            {
                state = value;
                return true;
            }
        }

        return false;
    }
}
