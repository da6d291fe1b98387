using System.ComponentModel.DataAnnotations;
using RoleMining.Exports;

namespace RoleMining.Functions.Configuration;

/// <summary>
/// Which role-mining sessions the scheduled sweep exports, bound from <c>RoleMining:Sweep</c> (app settings
/// <c>RoleMining__Sweep__*</c>). By default every session whose potential roles are created; each potential role that has
/// no running or succeeded job gets one.
/// </summary>
public sealed class ExportSweepOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "RoleMining:Sweep";

    /// <summary>Comma- or space-separated session ids; empty: every session of the tenant that passes the other filters.</summary>
    public string? SessionIds { get; set; }

    /// <summary>Only sessions a person saved in SailPoint.</summary>
    public bool SavedOnly { get; set; }

    /// <summary>The minimum popularity (0-100) of an exported entitlement; null leaves it to SailPoint.</summary>
    [Range(0, 100)]
    public int? MinEntitlementPopularity { get; set; }

    /// <summary>Whether entitlements common to the whole organisation are exported; null leaves it to SailPoint.</summary>
    public bool? IncludeCommonAccess { get; set; }

    /// <summary>The session ids as a list; null when the setting is empty (every session).</summary>
    public IReadOnlyList<string>? SessionIdList()
    {
        var ids = (SessionIds ?? string.Empty)
            .Split([',', ';', ' ', '\t', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Distinct(StringComparer.Ordinal)
            .ToList();
        return ids.Count == 0 ? null : ids;
    }

    /// <summary>The planner's selection.</summary>
    public ExportSweepSelection ToSelection() => new()
    {
        SessionIds = SessionIdList(),
        SavedOnly = SavedOnly,
        Options = new ExportRequestOptions
        {
            MinEntitlementPopularity = MinEntitlementPopularity,
            IncludeCommonAccess = IncludeCommonAccess,
        },
    };

    /// <summary>The problems of these settings (empty when valid); ids must be plain path segments.</summary>
    public IReadOnlyList<string> Validate() =>
        (SessionIdList() ?? [])
            .Where(id => !ExportJobIds.IsSafeSegment(id))
            .Select(id => $"{SectionName}:SessionIds: '{id}' is not a session id.")
            .ToList();
}
