namespace RoleMining.SailPoint.Models;

/// <summary>Parameters of an asynchronous export (spec: <c>RoleMiningPotentialRoleExportRequest</c>).</summary>
public sealed record PotentialRoleExportRequest
{
    /// <summary>The minimum popularity an entitlement must have to be included.</summary>
    public int? MinEntitlementPopularity { get; init; }

    /// <summary>If false, entitlements highly popular in the whole organisation are left out.</summary>
    public bool? IncludeCommonAccess { get; init; }
}

/// <summary>An asynchronous export job (spec: <c>RoleMiningPotentialRoleExportResponse</c>).</summary>
public sealed record PotentialRoleExport
{
    /// <summary>Id of the export.</summary>
    public string? ExportId { get; init; }

    /// <summary>Status of the export.</summary>
    public PotentialRoleExportState Status { get; init; }

    /// <summary>The minimum popularity requested.</summary>
    public int? MinEntitlementPopularity { get; init; }

    /// <summary>Whether common access was requested.</summary>
    public bool? IncludeCommonAccess { get; init; }
}
