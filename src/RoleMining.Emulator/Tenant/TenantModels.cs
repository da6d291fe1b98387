namespace RoleMining.Emulator;

/// <summary>The creator of a session or potential role (the spec's <c>EntityCreatedByDTO</c>).</summary>
public sealed record TenantCreator(string Id, string DisplayName);

/// <summary>A role-mining session of the synthetic tenant. States and types use the spec's enum strings.</summary>
public sealed class TenantSession
{
    internal TenantSession() { }

    /// <summary>Position of the session in the tenant (the default list order).</summary>
    public int Index { get; internal init; }

    public required string Id { get; init; }

    public required string Name { get; init; }

    /// <summary>A <c>RoleMiningSessionState</c> value, e.g. <c>POTENTIAL_ROLES_CREATED</c>.</summary>
    public required string State { get; init; }

    public bool Saved { get; init; }

    public TenantCreator? CreatedBy { get; init; }

    public DateTime CreatedDate { get; init; }

    public DateTime ModifiedDate { get; init; }

    /// <summary>A <c>RoleMiningRoleType</c> value: <c>SPECIALIZED</c> or <c>COMMON</c>.</summary>
    public required string Type { get; init; }

    /// <summary>A <c>RoleMiningSessionScopingMethod</c> value: <c>MANUAL</c> or <c>AUTO_RM</c>.</summary>
    public required string ScopingMethod { get; init; }

    /// <summary>The search criteria of the session's scope.</summary>
    public required string Criteria { get; init; }

    public int MinNumIdentitiesInPotentialRole { get; init; }

    public int PruneThreshold { get; init; }

    public int PrescribedPruneThreshold { get; init; }

    public int IdentityCount { get; internal set; }

    public string? EmailRecipientId { get; init; }

    public int PotentialRolesReadyCount { get; internal set; }

    public IReadOnlyList<TenantPotentialRole> PotentialRoles { get; internal set; } = [];
}

/// <summary>A potential role of a session. Its identities and entitlements are generated on demand
/// (<see cref="EmulatorTenant.GetIdentity"/>, <see cref="EmulatorTenant.GetEntitlements"/>).</summary>
public sealed class TenantPotentialRole
{
    internal TenantPotentialRole() { }

    /// <summary>Position of the role in its session (the default list order).</summary>
    public int Index { get; internal init; }

    public required string Id { get; init; }

    public required TenantSession Session { get; init; }

    public required string Name { get; init; }

    public string? Description { get; init; }

    public int IdentityCount { get; init; }

    public int EntitlementCount { get; init; }

    public int Density { get; init; }

    public int Freshness { get; init; }

    public int Quality { get; init; }

    /// <summary>A <c>RoleMiningRoleType</c> value.</summary>
    public required string Type { get; init; }

    /// <summary>A <c>RoleMiningPotentialRoleProvisionState</c> value.</summary>
    public required string ProvisionState { get; init; }

    /// <summary>The provisioned role's id, or null when not provisioned (<c>COMPLETE</c> only).</summary>
    public string? RoleId { get; init; }

    public bool Saved { get; init; }

    public TenantCreator? CreatedBy { get; init; }

    public DateTime CreatedDate { get; init; }

    public DateTime ModifiedDate { get; init; }

    /// <summary>Whether the role was added by <see cref="EmulatorTenantOptions.AdditionalPotentialRoleIdentityCounts"/>.</summary>
    public bool IsAdditional { get; init; }

    internal ulong Key { get; init; }

    internal string IdentityIdPrefix { get; init; } = "";

    internal int PrimaryDepartment { get; init; }

    internal int PrimaryLocation { get; init; }

    internal Lazy<IReadOnlyList<TenantEntitlement>>? Entitlements { get; set; }

    internal Lazy<IReadOnlyList<TenantAttributeDistribution>>? Distribution { get; set; }
}

/// <summary>An identity of a potential role: <see cref="AttributeValues"/> align with
/// <see cref="EmulatorTenant.IdentityAttributeNames"/>.</summary>
public sealed class TenantIdentity
{
    private readonly IReadOnlyList<string> _attributeNames;

    internal TenantIdentity(string id, string name, IReadOnlyList<string> attributeNames, string[] attributeValues)
    {
        Id = id;
        Name = name;
        _attributeNames = attributeNames;
        AttributeValues = attributeValues;
    }

    public string Id { get; }

    public string Name { get; }

    public IReadOnlyList<string> AttributeValues { get; }

    /// <summary>The attributes by name, in <see cref="EmulatorTenant.IdentityAttributeNames"/> order.</summary>
    public IReadOnlyDictionary<string, string> Attributes
    {
        get
        {
            var attributes = new Dictionary<string, string>(_attributeNames.Count, StringComparer.Ordinal);
            for (var i = 0; i < _attributeNames.Count; i++)
            {
                attributes[_attributeNames[i]] = AttributeValues[i];
            }

            return attributes;
        }
    }
}

/// <summary>An entitlement of a potential role with its popularity (the spec's <c>RoleMiningEntitlement</c>).</summary>
public sealed class TenantEntitlement
{
    internal TenantEntitlement() { }

    /// <summary>Position in generation order (the tie-breaker of every sort).</summary>
    public int Index { get; internal init; }

    /// <summary><c>entitlementRef.id</c>.</summary>
    public required string Id { get; init; }

    /// <summary><c>entitlementRef.name</c>: the entitlement's value, e.g. an AD group DN.</summary>
    public required string RefName { get; init; }

    /// <summary><c>entitlementRef.description</c>.</summary>
    public string? Description { get; init; }

    /// <summary><c>entitlementRef.attribute</c>.</summary>
    public required string Attribute { get; init; }

    /// <summary><c>name</c>: the entitlement's display name (sorter <c>entitlementName</c>).</summary>
    public required string Name { get; init; }

    public required string ApplicationName { get; init; }

    public required string SourceId { get; init; }

    public int IdentityCount { get; init; }

    /// <summary>Percentage (0..100, two decimals) of the role's identities that have the entitlement.</summary>
    public double Popularity { get; init; }

    /// <summary>Percentage (0..100, one decimal) of the organisation's identities that have it.</summary>
    public double PopularityInOrg { get; init; }

    public string? ActivitySourceState { get; init; }

    public double? SourceUsagePercent { get; init; }

    /// <summary>Common access: <see cref="PopularityInOrg"/> at or above <see cref="EmulatorTenant.CommonAccessThreshold"/>.
    /// Left out when <c>includeCommonAccess</c> is false.</summary>
    public bool IsCommonAccess { get; init; }
}

/// <summary>How a role's identities spread over the values of one attribute.</summary>
public sealed record TenantAttributeDistribution(string AttributeName, IReadOnlyList<KeyValuePair<string, int>> Counts);

/// <summary>The spec's <c>RoleMiningSessionState</c> values.</summary>
public static class SessionStates
{
    public const string Created = "CREATED";
    public const string Updated = "UPDATED";
    public const string IdentitiesObtained = "IDENTITIES_OBTAINED";
    public const string PruneThresholdObtained = "PRUNE_THRESHOLD_OBTAINED";
    public const string PotentialRolesProcessing = "POTENTIAL_ROLES_PROCESSING";
    public const string PotentialRolesCreated = "POTENTIAL_ROLES_CREATED";

    /// <summary>Every state, in the spec's order.</summary>
    public static IReadOnlyList<string> All { get; } =
        [Created, Updated, IdentitiesObtained, PruneThresholdObtained, PotentialRolesProcessing, PotentialRolesCreated];
}

/// <summary>The spec's <c>RoleMiningRoleType</c> values.</summary>
public static class RoleTypes
{
    public const string Specialized = "SPECIALIZED";
    public const string Common = "COMMON";
}

/// <summary>The spec's <c>RoleMiningPotentialRoleProvisionState</c> values.</summary>
public static class ProvisionStates
{
    public const string Potential = "POTENTIAL";
    public const string Pending = "PENDING";
    public const string Complete = "COMPLETE";
    public const string Failed = "FAILED";
}
