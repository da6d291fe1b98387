using RoleMining.Emulator.Api.Contracts;

namespace RoleMining.Emulator.Api;

/// <summary>Maps the tenant's model to the spec's JSON shapes.</summary>
internal static class DtoMapper
{
    private const string IdentityGroupObtained = "OBTAINED";

    public static SessionResponseDto ToSessionResponse(TenantSession session) => new(
        Scope(session),
        session.MinNumIdentitiesInPotentialRole,
        session.ScopingMethod,
        session.PrescribedPruneThreshold,
        session.PruneThreshold,
        session.PotentialRoles.Count,
        session.PotentialRolesReadyCount,
        new SessionStatusDto(session.State),
        session.EmailRecipientId,
        CreatedBy(session.CreatedBy),
        session.IdentityCount,
        session.Saved,
        session.Name,
        DataFilePath: null,
        session.Id,
        session.CreatedDate,
        session.ModifiedDate,
        session.Type);

    public static PotentialRoleSummaryDto ToSummary(TenantPotentialRole role) => new(
        role.Id,
        role.Name,
        new PotentialRoleRefDto(role.Id, role.Name),
        role.IdentityCount,
        role.EntitlementCount,
        IdentityGroupObtained,
        role.ProvisionState,
        role.RoleId,
        role.Density,
        role.Freshness,
        role.Quality,
        role.Type,
        CreatedBy(role.CreatedBy),
        role.CreatedDate,
        role.Saved,
        role.Description,
        SessionParameters(role.Session));

    public static PotentialRoleDto ToPotentialRole(EmulatorTenant tenant, TenantPotentialRole role) => new(
        CreatedBy(role.CreatedBy),
        role.Density,
        role.Description,
        role.EntitlementCount,
        ExcludedEntitlements: [],
        role.Freshness,
        role.IdentityCount,
        tenant.GetIdentityDistribution(role)
            .Select(d => new IdentityDistributionDto(d.AttributeName, d.Counts.Select(c => new DistributionEntryDto(c.Key, c.Value)).ToArray()))
            .ToArray(),
        IdentityIds(role),
        IdentityGroupObtained,
        role.Name,
        new PotentialRoleRefDto(role.Id, role.Name),
        role.ProvisionState,
        role.Quality,
        role.RoleId,
        role.Saved,
        SessionParameters(role.Session),
        role.Type,
        role.Id,
        role.CreatedDate,
        role.ModifiedDate);

    public static IdentityDto ToIdentity(EmulatorTenant tenant, TenantIdentity identity) =>
        new(identity.Id, identity.Name, new IdentityAttributes(tenant.IdentityAttributeNames, identity.AttributeValues));

    public static EntitlementDto ToEntitlement(TenantEntitlement entitlement) => new(
        new EntitlementRefDto(entitlement.Id, entitlement.RefName, entitlement.Description, entitlement.Attribute),
        entitlement.Name,
        entitlement.ApplicationName,
        entitlement.IdentityCount,
        entitlement.Popularity,
        entitlement.PopularityInOrg,
        entitlement.SourceId,
        entitlement.ActivitySourceState,
        entitlement.SourceUsagePercent);

    /// <summary>Enumerated while the response is written, so a huge role's ids are never all in memory.</summary>
    private static IEnumerable<string> IdentityIds(TenantPotentialRole role)
    {
        for (var index = 0; index < role.IdentityCount; index++)
        {
            yield return EmulatorTenant.GetIdentityId(role, index);
        }
    }

    private static SessionParametersDto SessionParameters(TenantSession session) => new(
        session.Id,
        session.Name,
        session.MinNumIdentitiesInPotentialRole,
        session.PruneThreshold,
        session.Saved,
        Scope(session),
        session.Type,
        session.State,
        session.ScopingMethod);

    private static SessionScopeDto Scope(TenantSession session) => new([], session.Criteria, null);

    private static CreatedByDto? CreatedBy(TenantCreator? creator) => creator is null ? null : new CreatedByDto(creator.Id, creator.DisplayName);
}
