using System.Text.Json.Serialization;
using RoleMining.SailPoint.Serialization;

namespace RoleMining.SailPoint.Models;

/// <summary>A potential role as listed in a session (spec: <c>RoleMiningPotentialRoleSummary</c>).</summary>
public sealed record PotentialRoleSummary
{
    /// <summary>Id of the potential role.</summary>
    public string? Id { get; init; }

    /// <summary>Name of the potential role.</summary>
    public string? Name { get; init; }

    /// <summary>Reference to the potential role.</summary>
    public PotentialRoleRef? PotentialRoleRef { get; init; }

    /// <summary>The number of identities.</summary>
    public int? IdentityCount { get; init; }

    /// <summary>The number of entitlements.</summary>
    public int? EntitlementCount { get; init; }

    /// <summary>The status of the identity group (<c>REQUESTED</c>, <c>OBTAINED</c>, ...).</summary>
    public string? IdentityGroupStatus { get; init; }

    /// <summary>Provisioning state.</summary>
    public PotentialRoleProvisionState? ProvisionState { get; init; }

    /// <summary>Id of the provisioned role, if provisioned.</summary>
    public string? RoleId { get; init; }

    /// <summary>Density metric (0-100).</summary>
    public int? Density { get; init; }

    /// <summary>Freshness metric (0-100).</summary>
    public int? Freshness { get; init; }

    /// <summary>Quality metric (0-100).</summary>
    public int? Quality { get; init; }

    /// <summary>Potential role type.</summary>
    public RoleMiningRoleType? Type { get; init; }

    /// <summary>Who created the potential role.</summary>
    [JsonConverter(typeof(EntityCreatedByConverter))]
    public EntityCreatedBy? CreatedBy { get; init; }

    /// <summary>When the potential role was created.</summary>
    public DateTimeOffset? CreatedDate { get; init; }

    /// <summary>Saved status.</summary>
    public bool? Saved { get; init; }

    /// <summary>Description.</summary>
    public string? Description { get; init; }

    /// <summary>The session parameters of the potential role.</summary>
    public RoleMiningSessionParameters? Session { get; init; }
}

/// <summary>Reference to a potential role (spec: <c>RoleMiningPotentialRoleRef</c>).</summary>
public sealed record PotentialRoleRef
{
    /// <summary>Id of the potential role.</summary>
    public string? Id { get; init; }

    /// <summary>Name of the potential role.</summary>
    public string? Name { get; init; }
}

/// <summary>A potential role in full (spec: <c>RoleMiningPotentialRole</c>, the body of <c>getPotentialRole</c>).</summary>
public sealed record PotentialRole
{
    /// <summary>Id of the potential role.</summary>
    public string? Id { get; init; }

    /// <summary>Name of the potential role.</summary>
    public string? Name { get; init; }

    /// <summary>Description.</summary>
    public string? Description { get; init; }

    /// <summary>Who created the potential role.</summary>
    [JsonConverter(typeof(EntityCreatedByConverter))]
    public EntityCreatedBy? CreatedBy { get; init; }

    /// <summary>Density.</summary>
    public int? Density { get; init; }

    /// <summary>Freshness.</summary>
    public int? Freshness { get; init; }

    /// <summary>Quality.</summary>
    public int? Quality { get; init; }

    /// <summary>The number of entitlements.</summary>
    public int? EntitlementCount { get; init; }

    /// <summary>The number of identities.</summary>
    public int? IdentityCount { get; init; }

    /// <summary>Entitlement ids excluded from the role.</summary>
    public IReadOnlyList<string>? ExcludedEntitlements { get; init; }

    /// <summary>Identity attribute distribution.</summary>
    public IReadOnlyList<RoleMiningIdentityDistribution>? IdentityDistribution { get; init; }

    /// <summary>The identity ids of the role.</summary>
    public IReadOnlyList<string>? IdentityIds { get; init; }

    /// <summary>The status of the identity group.</summary>
    public string? IdentityGroupStatus { get; init; }

    /// <summary>Reference to the potential role.</summary>
    public PotentialRoleRef? PotentialRoleRef { get; init; }

    /// <summary>Provisioning state.</summary>
    public PotentialRoleProvisionState? ProvisionState { get; init; }

    /// <summary>The id of the provisioned role.</summary>
    public string? RoleId { get; init; }

    /// <summary>Saved status.</summary>
    public bool? Saved { get; init; }

    /// <summary>The session parameters.</summary>
    public RoleMiningSessionParameters? Session { get; init; }

    /// <summary>Potential role type.</summary>
    public RoleMiningRoleType? Type { get; init; }

    /// <summary>When the potential role was created.</summary>
    public DateTimeOffset? CreatedDate { get; init; }

    /// <summary>When the potential role was modified.</summary>
    public DateTimeOffset? ModifiedDate { get; init; }
}

/// <summary>Distribution of one identity attribute (spec: <c>RoleMiningIdentityDistribution</c>).</summary>
public sealed record RoleMiningIdentityDistribution
{
    /// <summary>The attribute name.</summary>
    public string? AttributeName { get; init; }

    /// <summary>Counts per attribute value.</summary>
    public IReadOnlyList<RoleMiningAttributeValueCount>? Distribution { get; init; }
}

/// <summary>The number of identities that have one attribute value.</summary>
public sealed record RoleMiningAttributeValueCount
{
    /// <summary>The attribute value.</summary>
    public string? AttributeValue { get; init; }

    /// <summary>The number of identities that have it.</summary>
    public int? Count { get; init; }
}

/// <summary>An identity of a potential role (spec: <c>RoleMiningIdentity</c>).</summary>
public sealed record RoleMiningIdentity
{
    /// <summary>Id of the identity.</summary>
    public string? Id { get; init; }

    /// <summary>Name of the identity.</summary>
    public string? Name { get; init; }

    /// <summary>Identity attributes; a value that is not a string is kept as its JSON text (with <see cref="RoleMiningJson.Options"/>).</summary>
    public IReadOnlyDictionary<string, string?>? Attributes { get; init; }
}

/// <summary>An entitlement of a potential role with its popularity (spec: <c>RoleMiningEntitlement</c>).</summary>
public sealed record RoleMiningEntitlement
{
    /// <summary>The entitlement.</summary>
    public RoleMiningEntitlementRef? EntitlementRef { get; init; }

    /// <summary>Name of the entitlement.</summary>
    public string? Name { get; init; }

    /// <summary>Application name of the entitlement.</summary>
    public string? ApplicationName { get; init; }

    /// <summary>The number of identities in the role that have this entitlement.</summary>
    public int? IdentityCount { get; init; }

    /// <summary>The % popularity of this entitlement in the role.</summary>
    public double? Popularity { get; init; }

    /// <summary>The % popularity of this entitlement in the org.</summary>
    public double? PopularityInOrg { get; init; }

    /// <summary>The id of the source.</summary>
    public string? SourceId { get; init; }

    /// <summary>Activity data state of the source (<c>complete</c> or <c>notComplete</c>).</summary>
    public string? ActivitySourceState { get; init; }

    /// <summary>The % of identities in the role that use the source.</summary>
    public double? SourceUsagePercent { get; init; }
}

/// <summary>Entitlement reference (spec: <c>RoleMiningEntitlementRef</c>).</summary>
public sealed record RoleMiningEntitlementRef
{
    /// <summary>Id of the entitlement.</summary>
    public string? Id { get; init; }

    /// <summary>Name of the entitlement.</summary>
    public string? Name { get; init; }

    /// <summary>Description of the entitlement.</summary>
    public string? Description { get; init; }

    /// <summary>The entitlement attribute.</summary>
    public string? Attribute { get; init; }
}
