using System.Text.Json.Serialization;
using RoleMining.SailPoint.Serialization;

namespace RoleMining.SailPoint.Models;

/// <summary>State of a role-mining session (spec: <c>RoleMiningSessionState</c>).</summary>
[JsonConverter(typeof(TolerantEnumConverter<RoleMiningSessionState>))]
public enum RoleMiningSessionState
{
    /// <summary>A value this client does not know (ISC adds values without notice).</summary>
    Unknown = 0,

    /// <summary><c>CREATED</c>.</summary>
    [JsonStringEnumMemberName("CREATED")] Created,

    /// <summary><c>UPDATED</c>.</summary>
    [JsonStringEnumMemberName("UPDATED")] Updated,

    /// <summary><c>IDENTITIES_OBTAINED</c>.</summary>
    [JsonStringEnumMemberName("IDENTITIES_OBTAINED")] IdentitiesObtained,

    /// <summary><c>PRUNE_THRESHOLD_OBTAINED</c>.</summary>
    [JsonStringEnumMemberName("PRUNE_THRESHOLD_OBTAINED")] PruneThresholdObtained,

    /// <summary><c>POTENTIAL_ROLES_PROCESSING</c>.</summary>
    [JsonStringEnumMemberName("POTENTIAL_ROLES_PROCESSING")] PotentialRolesProcessing,

    /// <summary><c>POTENTIAL_ROLES_CREATED</c>: the session is complete.</summary>
    [JsonStringEnumMemberName("POTENTIAL_ROLES_CREATED")] PotentialRolesCreated,
}

/// <summary>State of an asynchronous potential-role export (spec: <c>RoleMiningPotentialRoleExportState</c>).</summary>
[JsonConverter(typeof(TolerantEnumConverter<PotentialRoleExportState>))]
public enum PotentialRoleExportState
{
    /// <summary>A value this client does not know.</summary>
    Unknown = 0,

    /// <summary><c>QUEUED</c>.</summary>
    [JsonStringEnumMemberName("QUEUED")] Queued,

    /// <summary><c>IN_PROGRESS</c>.</summary>
    [JsonStringEnumMemberName("IN_PROGRESS")] InProgress,

    /// <summary><c>SUCCESS</c>: the zip can be downloaded.</summary>
    [JsonStringEnumMemberName("SUCCESS")] Success,

    /// <summary><c>ERROR</c>: the export failed on the service side.</summary>
    [JsonStringEnumMemberName("ERROR")] Error,
}

/// <summary>Provisioning state of a potential role (spec: <c>RoleMiningPotentialRoleProvisionState</c>).</summary>
[JsonConverter(typeof(TolerantEnumConverter<PotentialRoleProvisionState>))]
public enum PotentialRoleProvisionState
{
    /// <summary>A value this client does not know.</summary>
    Unknown = 0,

    /// <summary><c>POTENTIAL</c>.</summary>
    [JsonStringEnumMemberName("POTENTIAL")] Potential,

    /// <summary><c>PENDING</c>.</summary>
    [JsonStringEnumMemberName("PENDING")] Pending,

    /// <summary><c>COMPLETE</c>.</summary>
    [JsonStringEnumMemberName("COMPLETE")] Complete,

    /// <summary><c>FAILED</c>.</summary>
    [JsonStringEnumMemberName("FAILED")] Failed,
}

/// <summary>Type of a role-mining session or potential role (spec: <c>RoleMiningRoleType</c>).</summary>
[JsonConverter(typeof(TolerantEnumConverter<RoleMiningRoleType>))]
public enum RoleMiningRoleType
{
    /// <summary>A value this client does not know.</summary>
    Unknown = 0,

    /// <summary><c>SPECIALIZED</c>.</summary>
    [JsonStringEnumMemberName("SPECIALIZED")] Specialized,

    /// <summary><c>COMMON</c>.</summary>
    [JsonStringEnumMemberName("COMMON")] Common,
}

/// <summary>How the identities of a session were scoped (spec: <c>RoleMiningSessionScopingMethod</c>).</summary>
[JsonConverter(typeof(TolerantEnumConverter<RoleMiningSessionScopingMethod>))]
public enum RoleMiningSessionScopingMethod
{
    /// <summary>A value this client does not know.</summary>
    Unknown = 0,

    /// <summary><c>MANUAL</c>.</summary>
    [JsonStringEnumMemberName("MANUAL")] Manual,

    /// <summary><c>AUTO_RM</c>.</summary>
    [JsonStringEnumMemberName("AUTO_RM")] AutoRm,
}
