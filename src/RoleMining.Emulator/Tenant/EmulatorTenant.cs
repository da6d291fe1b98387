using System.Globalization;
using RoleMining.Emulator.Tenant;

namespace RoleMining.Emulator;

/// <summary>
/// The deterministic synthetic tenant: sessions and potential roles are built at start-up (small); identities and
/// entitlements are computed on demand from (seed, role, index), so memory stays flat even for a 1,000,000-identity role.
/// Identity names increase with the index (ordinal and ordinal-ignore-case alike), so sorting by name and
/// <c>name sw</c> filters never need to materialise a role.
/// </summary>
public sealed class EmulatorTenant
{
    /// <summary><see cref="TenantEntitlement.PopularityInOrg"/> at or above which an entitlement is common access.</summary>
    public const double CommonAccessThreshold = 80;

    private const string DepartmentAttribute = "department";
    private const string JobTitleAttribute = "jobTitle";
    private const string LocationAttribute = "location";

    private static readonly long NameCombinations = (long)Catalog.Surnames.Length * Catalog.GivenNames.Length;

    private readonly Dictionary<string, TenantSession> _sessionsById;
    private readonly Dictionary<string, TenantPotentialRole> _rolesById;
    private readonly string[] _sourceIds;

    internal EmulatorTenant(EmulatorTenantOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Seed = options.Seed;
        ExtraAttributeCount = options.ExtraAttributes;
        IdentityAttributeNames =
        [
            DepartmentAttribute, JobTitleAttribute, LocationAttribute, "firstName", "lastName", "email",
            .. Enumerable.Range(1, options.ExtraAttributes).Select(i => "extraAttribute" + i.ToString("D2", CultureInfo.InvariantCulture)),
        ];

        var sourceRandom = new SplitMix64(SplitMix64.Combine((ulong)Seed, 0x50_55_52_43_45));
        _sourceIds = Catalog.Applications.Select(_ => sourceRandom.NextHexId()).ToArray();
        Sessions = TenantGenerator.Generate(this, options);
        _sessionsById = Sessions.ToDictionary(s => s.Id, StringComparer.OrdinalIgnoreCase);
        _rolesById = Sessions.SelectMany(s => s.PotentialRoles).ToDictionary(r => r.Id, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The seed the tenant was generated from.</summary>
    public int Seed { get; }

    /// <summary>Every session, in default list order.</summary>
    public IReadOnlyList<TenantSession> Sessions { get; }

    /// <summary>Every potential role of every session.</summary>
    public IEnumerable<TenantPotentialRole> PotentialRoles => Sessions.SelectMany(s => s.PotentialRoles);

    /// <summary>The identity attribute names, in the order of <see cref="TenantIdentity.AttributeValues"/> and of the
    /// export's <c>identities.csv</c> columns after <c>id,name</c>.</summary>
    public IReadOnlyList<string> IdentityAttributeNames { get; }

    internal int ExtraAttributeCount { get; }

    internal string SourceIdOf(int applicationIndex) => _sourceIds[applicationIndex];

    /// <summary>The session with <paramref name="sessionId"/>, or null.</summary>
    public TenantSession? FindSession(string sessionId) => _sessionsById.GetValueOrDefault(sessionId);

    /// <summary>The potential role with <paramref name="potentialRoleId"/>, or null.</summary>
    public TenantPotentialRole? FindPotentialRole(string potentialRoleId) => _rolesById.GetValueOrDefault(potentialRoleId);

    /// <summary>The identity at <paramref name="index"/> (0 &lt;= index &lt; IdentityCount) of <paramref name="role"/>.</summary>
    public TenantIdentity GetIdentity(TenantPotentialRole role, int index)
    {
        ArgumentNullException.ThrowIfNull(role);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, role.IdentityCount);

        var hash = IdentityHash(role, index);
        var (surname, givenName, suffix) = NameParts(role.IdentityCount, index);
        var name = suffix is null ? string.Concat(surname, ".", givenName) : string.Concat(surname, ".", givenName, ".", suffix);
        var attributeSeed = SplitMix64.Mix(hash ^ 0xA5A5_5A5A_C3C3_3C3CUL);
        var (department, jobTitle, location) = CoreAttributes(role, attributeSeed);

        var values = new string[IdentityAttributeNames.Count];
        values[0] = department;
        values[1] = jobTitle;
        values[2] = location;
        values[3] = givenName;
        values[4] = surname;
        values[5] = string.Concat(givenName.ToLowerInvariant(), ".", surname.ToLowerInvariant(), suffix, "@example.com");
        for (var extra = 0; extra < ExtraAttributeCount; extra++)
        {
            values[6 + extra] = SplitMix64.Hex(SplitMix64.Mix(hash + (ulong)extra + 1));
        }

        return new TenantIdentity(role.IdentityIdPrefix + SplitMix64.Hex(hash), name, IdentityAttributeNames, values);
    }

    /// <summary>The id of the identity at <paramref name="index"/>, without generating the rest of it.</summary>
    public static string GetIdentityId(TenantPotentialRole role, int index)
    {
        ArgumentNullException.ThrowIfNull(role);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, role.IdentityCount);
        return role.IdentityIdPrefix + SplitMix64.Hex(IdentityHash(role, index));
    }

    /// <summary>Every identity of <paramref name="role"/> in index (= name) order, generated one at a time.</summary>
    public IEnumerable<TenantIdentity> GetIdentities(TenantPotentialRole role)
    {
        ArgumentNullException.ThrowIfNull(role);
        for (var index = 0; index < role.IdentityCount; index++)
        {
            yield return GetIdentity(role, index);
        }
    }

    /// <summary>The name of the identity at <paramref name="index"/>, without generating the rest of it.</summary>
    public static string GetIdentityName(TenantPotentialRole role, int index)
    {
        ArgumentNullException.ThrowIfNull(role);
        var (surname, givenName, suffix) = NameParts(role.IdentityCount, index);
        return suffix is null ? string.Concat(surname, ".", givenName) : string.Concat(surname, ".", givenName, ".", suffix);
    }

    /// <summary>Every entitlement of <paramref name="role"/> (common access included), in generation order.</summary>
    public IReadOnlyList<TenantEntitlement> GetEntitlements(TenantPotentialRole role)
    {
        ArgumentNullException.ThrowIfNull(role);
        return role.Entitlements!.Value;
    }

    /// <summary>How the role's identities spread over department, location and job title.</summary>
    public IReadOnlyList<TenantAttributeDistribution> GetIdentityDistribution(TenantPotentialRole role)
    {
        ArgumentNullException.ThrowIfNull(role);
        return role.Distribution!.Value;
    }

    internal static IReadOnlyList<TenantAttributeDistribution> ComputeDistribution(TenantPotentialRole role)
    {
        var departments = new Dictionary<string, int>(StringComparer.Ordinal);
        var locations = new Dictionary<string, int>(StringComparer.Ordinal);
        var jobTitles = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var index = 0; index < role.IdentityCount; index++)
        {
            var attributeSeed = SplitMix64.Mix(IdentityHash(role, index) ^ 0xA5A5_5A5A_C3C3_3C3CUL);
            var (department, jobTitle, location) = CoreAttributes(role, attributeSeed);
            departments[department] = departments.GetValueOrDefault(department) + 1;
            locations[location] = locations.GetValueOrDefault(location) + 1;
            jobTitles[jobTitle] = jobTitles.GetValueOrDefault(jobTitle) + 1;
        }

        return
        [
            new(DepartmentAttribute, Sorted(departments)),
            new(LocationAttribute, Sorted(locations)),
            new(JobTitleAttribute, Sorted(jobTitles)),
        ];

        static IReadOnlyList<KeyValuePair<string, int>> Sorted(Dictionary<string, int> counts) =>
            counts.OrderByDescending(pair => pair.Value).ThenBy(pair => pair.Key, StringComparer.Ordinal).ToArray();
    }

    /// <summary>A bijection of the index for a fixed role, so identity ids within a role never collide.</summary>
    private static ulong IdentityHash(TenantPotentialRole role, int index) =>
        SplitMix64.Mix(role.Key + ((ulong)index * 0x9E3779B97F4A7C15UL));

    private static (string Department, string JobTitle, string Location) CoreAttributes(TenantPotentialRole role, ulong seed)
    {
        // Most identities of a potential role share its department and location: that is what made them a role.
        var departmentIndex = seed % 100 < 85 ? role.PrimaryDepartment : (int)((seed >> 8) % (ulong)Catalog.Departments.Length);
        var (department, jobTitles) = Catalog.Departments[departmentIndex];
        var jobTitle = jobTitles[(int)((seed >> 16) % (ulong)jobTitles.Length)];
        var location = (seed >> 24) % 100 < 70 ? Catalog.Locations[role.PrimaryLocation] : Catalog.Locations[(int)((seed >> 32) % (ulong)Catalog.Locations.Length)];
        return (department, jobTitle, location);
    }

    /// <summary>
    /// Names are "Surname.GivenName" combinations laid out in sorted order over the index range; when a role has more
    /// identities than combinations, a fixed-width counter is appended, so names still increase with the index.
    /// </summary>
    private static (string Surname, string GivenName, string? Suffix) NameParts(int identityCount, int index)
    {
        var givenCount = Catalog.GivenNames.Length;
        var combination = index * NameCombinations / identityCount;
        var surname = Catalog.Surnames[combination / givenCount];
        var givenName = Catalog.GivenNames[combination % givenCount];
        if (identityCount <= NameCombinations)
        {
            return (surname, givenName, null);
        }

        var firstIndex = ((combination * identityCount) + NameCombinations - 1) / NameCombinations;
        var rank = index - firstIndex + 1;
        var maxPerCombination = (identityCount + NameCombinations - 1) / NameCombinations;
        var width = maxPerCombination.ToString(CultureInfo.InvariantCulture).Length;
        return (surname, givenName, rank.ToString("D" + width.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture));
    }
}
