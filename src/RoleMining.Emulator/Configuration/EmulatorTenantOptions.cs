using System.ComponentModel.DataAnnotations;

namespace RoleMining.Emulator;

/// <summary>Seed and sizes of the deterministic synthetic tenant.</summary>
public sealed class EmulatorTenantOptions : IValidatableObject
{
    /// <summary>The seed every generated value derives from: same seed, same data.</summary>
    [Range(0, int.MaxValue)]
    public int Seed { get; set; } = 1;

    /// <summary>Number of role-mining sessions. Sessions cycle through every <c>RoleMiningSessionState</c>; 7 or more show them all.</summary>
    [Range(1, 10_000)]
    public int SessionCount { get; set; } = 8;

    /// <summary>Fewest potential roles in a session whose potential roles exist.</summary>
    [Range(0, 10_000)]
    public int MinPotentialRolesPerSession { get; set; } = 2;

    /// <summary>Most potential roles in a session whose potential roles exist.</summary>
    [Range(0, 10_000)]
    public int MaxPotentialRolesPerSession { get; set; } = 8;

    /// <summary>Fewest identities in a generated potential role.</summary>
    [Range(0, 50_000_000)]
    public int MinIdentitiesPerPotentialRole { get; set; } = 5;

    /// <summary>Most identities in a generated potential role.</summary>
    [Range(0, 50_000_000)]
    public int MaxIdentitiesPerPotentialRole { get; set; } = 300;

    /// <summary>Fewest entitlements in a potential role.</summary>
    [Range(0, 100_000)]
    public int MinEntitlementsPerPotentialRole { get; set; } = 3;

    /// <summary>Most entitlements in a potential role.</summary>
    [Range(0, 100_000)]
    public int MaxEntitlementsPerPotentialRole { get; set; } = 25;

    /// <summary>Extra identity attributes (<c>extraAttribute01</c>...) to widen identity rows.</summary>
    [Range(0, 500)]
    public int ExtraAttributes { get; set; }

    /// <summary>Extra potential roles with exactly these identity counts, added to the first session in state
    /// <c>POTENTIAL_ROLES_CREATED</c>, so tests can find them by <c>identityCount</c> (e.g. 0, 1, 250, 251, 100000).</summary>
#pragma warning disable CA2227 // The configuration binder and object initialisers set this list.
    public List<int> AdditionalPotentialRoleIdentityCounts { get; set; } = [];
#pragma warning restore CA2227

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (MinPotentialRolesPerSession > MaxPotentialRolesPerSession)
        {
            yield return new ValidationResult("MinPotentialRolesPerSession must not exceed MaxPotentialRolesPerSession.", [nameof(MinPotentialRolesPerSession)]);
        }

        if (MinIdentitiesPerPotentialRole > MaxIdentitiesPerPotentialRole)
        {
            yield return new ValidationResult("MinIdentitiesPerPotentialRole must not exceed MaxIdentitiesPerPotentialRole.", [nameof(MinIdentitiesPerPotentialRole)]);
        }

        if (MinEntitlementsPerPotentialRole > MaxEntitlementsPerPotentialRole)
        {
            yield return new ValidationResult("MinEntitlementsPerPotentialRole must not exceed MaxEntitlementsPerPotentialRole.", [nameof(MinEntitlementsPerPotentialRole)]);
        }

        if (AdditionalPotentialRoleIdentityCounts is null)
        {
            yield return new ValidationResult("AdditionalPotentialRoleIdentityCounts must not be null.", [nameof(AdditionalPotentialRoleIdentityCounts)]);
        }
        else if (AdditionalPotentialRoleIdentityCounts.Any(count => count is < 0 or > 50_000_000))
        {
            yield return new ValidationResult("Every AdditionalPotentialRoleIdentityCounts entry must be between 0 and 50000000.", [nameof(AdditionalPotentialRoleIdentityCounts)]);
        }
    }
}
