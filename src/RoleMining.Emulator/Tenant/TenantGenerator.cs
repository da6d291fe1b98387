using System.Globalization;

namespace RoleMining.Emulator.Tenant;

/// <summary>Builds the sessions and potential roles of a tenant from its seed.</summary>
internal static class TenantGenerator
{
    /// <summary>States in session order: 7 consecutive sessions show every <c>RoleMiningSessionState</c>, and the
    /// first session always has its potential roles.</summary>
    private static readonly string[] StateCycle =
    [
        SessionStates.PotentialRolesCreated, SessionStates.PotentialRolesProcessing, SessionStates.Created,
        SessionStates.PotentialRolesCreated, SessionStates.Updated, SessionStates.IdentitiesObtained,
        SessionStates.PruneThresholdObtained, SessionStates.PotentialRolesCreated,
    ];

    /// <summary>Dates are fixed (not relative to now) so that the same seed always gives the same data.</summary>
    private static readonly DateTime Epoch = new(2026, 6, 1, 8, 0, 0, DateTimeKind.Utc);

    public static TenantSession[] Generate(EmulatorTenant tenant, EmulatorTenantOptions options)
    {
        var seed = SplitMix64.Mix((ulong)options.Seed + 0x5EED);
        var sessions = new TenantSession[options.SessionCount];
        for (var index = 0; index < sessions.Length; index++)
        {
            sessions[index] = CreateSession(tenant, options, seed, index, sessions.Length);
        }

        return sessions;
    }

    private static TenantSession CreateSession(EmulatorTenant tenant, EmulatorTenantOptions options, ulong seed, int index, int count)
    {
        var random = new SplitMix64(SplitMix64.Combine(seed, (ulong)index));
        var id = random.NextUuid();
        var state = StateCycle[index % StateCycle.Length];
        var saved = index % 2 == 0;
        var department = random.Pick(Catalog.Departments).Department;
        var application = random.Pick(Catalog.Applications).Application;
        var creator = index % 5 == 4 ? null : new TenantCreator(random.NextHexId(), random.Pick(Catalog.Creators));
        var createdDate = Epoch.AddDays(-(count - index)).AddMinutes(random.Between(0, 600)).AddMilliseconds(random.Between(0, 999));
        var session = new TenantSession
        {
            Index = index,
            Id = id,
            Name = string.Create(CultureInfo.InvariantCulture, $"{(saved ? "Saved RM Session" : "RM Session")} - {department} {index + 1:D3}"),
            State = state,
            Saved = saved,
            CreatedBy = creator,
            CreatedDate = createdDate,
            ModifiedDate = createdDate.AddMinutes(random.Between(1, 120)).AddMilliseconds(random.Between(0, 999)),
            Type = index % 3 == 2 ? RoleTypes.Common : RoleTypes.Specialized,
            ScopingMethod = index % 2 == 0 ? "AUTO_RM" : "MANUAL",
            Criteria = "source.name:" + application,
            MinNumIdentitiesInPotentialRole = random.Between(5, 30),
            PruneThreshold = random.Between(50, 90),
            PrescribedPruneThreshold = random.Between(60, 90),
            EmailRecipientId = creator?.Id,
        };

        var hasRoles = state is SessionStates.PotentialRolesCreated or SessionStates.PotentialRolesProcessing;
        var roleCount = hasRoles ? random.Between(options.MinPotentialRolesPerSession, options.MaxPotentialRolesPerSession) : 0;
        var roles = new List<TenantPotentialRole>(roleCount);
        for (var roleIndex = 0; roleIndex < roleCount; roleIndex++)
        {
            var roleRandom = new SplitMix64(SplitMix64.Combine(SplitMix64.Combine(seed, (ulong)index), (ulong)roleIndex + 1));
            roles.Add(CreateRole(tenant, options, session, roleIndex, roleRandom, random.Between(options.MinIdentitiesPerPotentialRole, options.MaxIdentitiesPerPotentialRole), isAdditional: false));
        }

        if (index == 0)
        {
            // The first session is always POTENTIAL_ROLES_CREATED (see StateCycle): it gets the sized extra roles.
            foreach (var identityCount in options.AdditionalPotentialRoleIdentityCounts)
            {
                var roleIndex = roles.Count;
                var roleRandom = new SplitMix64(SplitMix64.Combine(SplitMix64.Combine(seed, 0xADD1_7104), (ulong)roleIndex + 1));
                roles.Add(CreateRole(tenant, options, session, roleIndex, roleRandom, identityCount, isAdditional: true));
            }
        }

        session.PotentialRoles = roles;
        session.PotentialRolesReadyCount = state == SessionStates.PotentialRolesProcessing ? roles.Count / 2 : roles.Count;
        var identityTotal = roles.Sum(r => (long)r.IdentityCount) + random.Between(0, 500);
        session.IdentityCount = (int)Math.Min(int.MaxValue, identityTotal);
        return session;
    }

    private static TenantPotentialRole CreateRole(
        EmulatorTenant tenant, EmulatorTenantOptions options, TenantSession session, int index, SplitMix64 random, int identityCount, bool isAdditional)
    {
        var id = random.NextUuid();
        var primaryDepartment = random.Between(0, Catalog.Departments.Length - 1);
        var density = random.Between(40, 100);
        var freshness = random.Between(10, 100);
        var provisionState = (index % 7) switch
        {
            3 => ProvisionStates.Pending,
            5 => ProvisionStates.Complete,
            6 when index % 2 == 0 => ProvisionStates.Failed,
            _ => ProvisionStates.Potential,
        };
        var saved = index % 3 == 0;
        var department = Catalog.Departments[primaryDepartment].Department;
        var createdDate = session.ModifiedDate.AddMinutes(index + 1).AddMilliseconds(random.Between(0, 999));
        var role = new TenantPotentialRole
        {
            Index = index,
            Id = id,
            Session = session,
            Name = string.Create(CultureInfo.InvariantCulture, $"{department} - Potential Role {id[..6]}"),
            Description = saved ? $"{department} access shared by {identityCount} identities" : null,
            IdentityCount = identityCount,
            EntitlementCount = random.Between(options.MinEntitlementsPerPotentialRole, options.MaxEntitlementsPerPotentialRole),
            Density = density,
            Freshness = freshness,
            Quality = (density + freshness) / 2,
            Type = index % 4 == 3 ? RoleTypes.Common : session.Type,
            ProvisionState = provisionState,
            RoleId = provisionState == ProvisionStates.Complete ? random.NextHexId() : null,
            Saved = saved,
            CreatedBy = session.CreatedBy,
            CreatedDate = createdDate,
            ModifiedDate = createdDate.AddMinutes(random.Between(0, 60)),
            IsAdditional = isAdditional,
            Key = random.Next(),
            IdentityIdPrefix = "2c9180" + SplitMix64.Hex(random.Next())[..10],
            PrimaryDepartment = primaryDepartment,
            PrimaryLocation = random.Between(0, Catalog.Locations.Length - 1),
        };
        role.Entitlements = new Lazy<IReadOnlyList<TenantEntitlement>>(() => CreateEntitlements(tenant, role));
        role.Distribution = new Lazy<IReadOnlyList<TenantAttributeDistribution>>(() => EmulatorTenant.ComputeDistribution(role));
        return role;
    }

    private static TenantEntitlement[] CreateEntitlements(EmulatorTenant tenant, TenantPotentialRole role)
    {
        var random = new SplitMix64(SplitMix64.Combine(role.Key, 0xE171_7137));
        var entitlements = new TenantEntitlement[role.EntitlementCount];
        for (var index = 0; index < entitlements.Length; index++)
        {
            var applicationIndex = random.Between(0, Catalog.Applications.Length - 1);
            var (application, attribute) = Catalog.Applications[applicationIndex];
            var kind = random.Pick(Catalog.EntitlementKinds);
            var department = random.Between(0, 3) == 0 ? random.Pick(Catalog.Departments).Department : Catalog.Departments[role.PrimaryDepartment].Department;
            var compact = department.Replace(" ", "", StringComparison.Ordinal);
            var number = index + 1;
            var refName = applicationIndex == 0
                ? string.Create(CultureInfo.InvariantCulture, $"CN={compact}-{kind}-{number:D2},OU=Groups,DC=corp,DC=example")
                : string.Create(CultureInfo.InvariantCulture, $"{compact}.{kind}.{number:D2}").ToLowerInvariant();

            // The first entitlement is held by everyone in the role (the role's core); the rest spread out.
            var identityCount = role.IdentityCount == 0
                ? 0
                : index == 0 ? role.IdentityCount : Math.Max(1, (int)Math.Round(role.IdentityCount * (0.05 + (0.95 * random.NextDouble()))));
            var popularityInOrg = Math.Round(1 + (random.NextDouble() * 98), 1);
            var activity = random.Between(0, 2) switch { 0 => "complete", 1 => "notComplete", _ => null };
            entitlements[index] = new TenantEntitlement
            {
                Index = index,
                Id = random.NextHexId(),
                RefName = refName,
                Description = random.Between(0, 3) == 0 ? null : $"Grants {kind.ToLowerInvariant()} access in {application} for {department}",
                Attribute = attribute,
                Name = string.Create(CultureInfo.InvariantCulture, $"{department} {kind} {number}"),
                ApplicationName = application,
                SourceId = tenant.SourceIdOf(applicationIndex),
                IdentityCount = identityCount,
                Popularity = role.IdentityCount == 0 ? 0 : Math.Round(identityCount * 100.0 / role.IdentityCount, 2),
                PopularityInOrg = popularityInOrg,
                ActivitySourceState = activity,
                SourceUsagePercent = activity is null ? null : Math.Round(random.NextDouble() * 100, 1),
                IsCommonAccess = popularityInOrg >= EmulatorTenant.CommonAccessThreshold,
            };
        }

        return entitlements;
    }
}
