using System.ComponentModel;

namespace RoleMining.SailPoint;

/// <summary>
/// The API versions of the role-mining endpoints (<see cref="RoleMiningClientOptions.ApiVersion"/>). In configuration,
/// write the version as ISC does (<c>v2024</c>, <c>beta</c>, <c>v1</c>); the names match regardless of case.
/// </summary>
[TypeConverter(typeof(RoleMiningApiVersionConverter))]
public enum RoleMiningApiVersion
{
    /// <summary><c>/v2024/role-mining-sessions/...</c> (the default).</summary>
    V2024 = 1,

    /// <summary><c>/v2025/role-mining-sessions/...</c>.</summary>
    V2025 = 2,

    /// <summary><c>/v2026/role-mining-sessions/...</c>.</summary>
    V2026 = 3,

    /// <summary><c>/beta/role-mining-sessions/...</c>; the only version without <c>X-SailPoint-Experimental</c>.</summary>
    Beta = 4,

    /// <summary>Per-resource version: <c>/role-mining-sessions/v1/...</c>.</summary>
    V1 = 5,
}
