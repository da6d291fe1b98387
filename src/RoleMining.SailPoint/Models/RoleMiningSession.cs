using System.Text.Json;
using System.Text.Json.Serialization;
using RoleMining.SailPoint.Serialization;

namespace RoleMining.SailPoint.Models;

/// <summary>
/// A role-mining session (spec: <c>RoleMiningSessionResponse</c>; the list operation's <c>RoleMiningSessionDto</c>
/// is a subset of it, so both read into this record).
/// </summary>
public sealed record RoleMiningSession
{
    /// <summary>Session id.</summary>
    public string? Id { get; init; }

    /// <summary>The session's saved name.</summary>
    public string? Name { get; init; }

    /// <summary>The scope of identities for this session.</summary>
    public RoleMiningSessionScope? Scope { get; init; }

    /// <summary>Minimum number of identities in a potential role.</summary>
    public int? MinNumIdentitiesInPotentialRole { get; init; }

    /// <summary>The scoping method of the session.</summary>
    public RoleMiningSessionScopingMethod? ScopingMethod { get; init; }

    /// <summary>The computed (or prescribed) prune threshold.</summary>
    public int? PrescribedPruneThreshold { get; init; }

    /// <summary>The prune threshold used for this session.</summary>
    public int? PruneThreshold { get; init; }

    /// <summary>The number of potential roles.</summary>
    public int? PotentialRoleCount { get; init; }

    /// <summary>The number of potential roles that have completed processing.</summary>
    public int? PotentialRolesReadyCount { get; init; }

    /// <summary>The session status.</summary>
    public RoleMiningSessionStatus? Status { get; init; }

    /// <summary>The id of the user who receives an email about the session.</summary>
    public string? EmailRecipientId { get; init; }

    /// <summary>Who created the session.</summary>
    [JsonConverter(typeof(EntityCreatedByConverter))]
    public EntityCreatedBy? CreatedBy { get; init; }

    /// <summary>The number of identities.</summary>
    public int? IdentityCount { get; init; }

    /// <summary>The session's saved status.</summary>
    public bool? Saved { get; init; }

    /// <summary>The data file path of the session.</summary>
    public string? DataFilePath { get; init; }

    /// <summary>When the session was created.</summary>
    public DateTimeOffset? CreatedDate { get; init; }

    /// <summary>When the session was completed.</summary>
    public DateTimeOffset? ModifiedDate { get; init; }

    /// <summary>Session type.</summary>
    public RoleMiningRoleType? Type { get; init; }
}

/// <summary>The scope of identities of a session (spec: <c>RoleMiningSessionScope</c>).</summary>
public sealed record RoleMiningSessionScope
{
    /// <summary>The identities of the session.</summary>
    public IReadOnlyList<string>? IdentityIds { get; init; }

    /// <summary>The search criteria that produce the identities.</summary>
    public string? Criteria { get; init; }

    /// <summary>
    /// The filter criteria, kept as raw JSON: the spec declares an array of free-form objects but its example is an object.
    /// </summary>
    public JsonElement? AttributeFilterCriteria { get; init; }
}

/// <summary>Session status (spec: <c>RoleMiningSessionStatus</c>).</summary>
public sealed record RoleMiningSessionStatus
{
    /// <summary>The session state.</summary>
    public RoleMiningSessionState State { get; init; }
}

/// <summary>Who created an entity (spec: <c>EntityCreatedByDTO</c>, or a bare string/null).</summary>
public sealed record EntityCreatedBy
{
    /// <summary>Id of the creator.</summary>
    public string? Id { get; init; }

    /// <summary>Display name of the creator.</summary>
    public string? DisplayName { get; init; }
}

/// <summary>The session parameters embedded in a potential role (spec: <c>RoleMiningSessionParametersDto</c>).</summary>
public sealed record RoleMiningSessionParameters
{
    /// <summary>Session id.</summary>
    public string? Id { get; init; }

    /// <summary>The session's saved name.</summary>
    public string? Name { get; init; }

    /// <summary>Minimum number of identities in a potential role.</summary>
    public int? MinNumIdentitiesInPotentialRole { get; init; }

    /// <summary>The prune threshold.</summary>
    public int? PruneThreshold { get; init; }

    /// <summary>The session's saved status.</summary>
    public bool? Saved { get; init; }

    /// <summary>The scope of identities.</summary>
    public RoleMiningSessionScope? Scope { get; init; }

    /// <summary>Role mining type.</summary>
    public RoleMiningRoleType? Type { get; init; }

    /// <summary>Session state.</summary>
    public RoleMiningSessionState? State { get; init; }

    /// <summary>Scoping method.</summary>
    public RoleMiningSessionScopingMethod? ScopingMethod { get; init; }
}
