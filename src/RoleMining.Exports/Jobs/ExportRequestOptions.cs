using RoleMining.SailPoint.Models;

namespace RoleMining.Exports;

/// <summary>What to export: the parameters of SailPoint's <c>export-async</c> request. Null leaves the choice to SailPoint.</summary>
public sealed record ExportRequestOptions
{
    /// <summary>No parameters: SailPoint's defaults.</summary>
    public static ExportRequestOptions Default { get; } = new();

    /// <summary>The minimum popularity (0-100) an entitlement must have in the role to be exported.</summary>
    public int? MinEntitlementPopularity { get; init; }

    /// <summary>If false, entitlements highly popular in the whole organisation are left out.</summary>
    public bool? IncludeCommonAccess { get; init; }

    /// <summary>The request SailPoint receives.</summary>
    public PotentialRoleExportRequest ToRequest() => new()
    {
        MinEntitlementPopularity = MinEntitlementPopularity,
        IncludeCommonAccess = IncludeCommonAccess,
    };

    /// <summary>A stable text form, used to derive idempotency keys and compare jobs.</summary>
    public string ToKey() =>
        FormattableString.Invariant($"minEntitlementPopularity={MinEntitlementPopularity?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "default"};includeCommonAccess={(IncludeCommonAccess is { } include ? (include ? "true" : "false") : "default")}");
}
