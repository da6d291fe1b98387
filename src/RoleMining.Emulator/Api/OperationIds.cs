namespace RoleMining.Emulator;

/// <summary>
/// The spec operationIds of the emulated operations (v2024, v2025, v2026 and beta share them; the per-resource v1
/// API appends <c>V1</c>, see <see cref="ForVersion"/>). Statistics and fault routes are keyed by these names.
/// </summary>
public static class OperationIds
{
    /// <summary><c>POST /oauth/token</c> (not a spec operation; the key for its statistics and faults).</summary>
    public const string Token = "oauthToken";

    /// <summary><c>GET /role-mining-sessions</c>.</summary>
    public const string GetRoleMiningSessions = "getRoleMiningSessions";

    /// <summary><c>GET /role-mining-sessions/{sessionId}</c>.</summary>
    public const string GetRoleMiningSession = "getRoleMiningSession";

    /// <summary><c>GET /role-mining-sessions/{sessionId}/status</c>.</summary>
    public const string GetRoleMiningSessionStatus = "getRoleMiningSessionStatus";

    /// <summary><c>GET /role-mining-sessions/{sessionId}/potential-role-summaries</c>.</summary>
    public const string GetPotentialRoleSummaries = "getPotentialRoleSummaries";

    /// <summary><c>GET /role-mining-sessions/{sessionId}/potential-role-summaries/{potentialRoleId}</c>.</summary>
    public const string GetPotentialRole = "getPotentialRole";

    /// <summary><c>GET /role-mining-sessions/{sessionId}/potential-roles/{potentialRoleId}/entitlement-popularities</c>.</summary>
    public const string GetEntitlementsPotentialRole = "getEntitlementsPotentialRole";

    /// <summary><c>GET /role-mining-sessions/{sessionId}/potential-roles/{potentialRoleId}/identities</c>.</summary>
    public const string GetIdentitiesPotentialRole = "getIdentitiesPotentialRole";

    /// <summary><c>GET /role-mining-sessions/{sessionId}/potential-roles/{potentialRoleId}/export</c> (zip).</summary>
    public const string ExportRoleMiningPotentialRole = "exportRoleMiningPotentialRole";

    /// <summary><c>POST /role-mining-sessions/{sessionId}/potential-roles/{potentialRoleId}/export-async</c>.</summary>
    public const string ExportRoleMiningPotentialRoleAsync = "exportRoleMiningPotentialRoleAsync";

    /// <summary><c>GET .../export-async/{exportId}</c>.</summary>
    public const string ExportRoleMiningPotentialRoleStatus = "exportRoleMiningPotentialRoleStatus";

    /// <summary><c>GET .../export-async/{exportId}/download</c> (zip).</summary>
    public const string DownloadRoleMiningPotentialRoleZip = "downloadRoleMiningPotentialRoleZip";

    /// <summary><c>GET /role-mining-potential-roles/{potentialRoleId}</c>.</summary>
    public const string GetRoleMiningPotentialRole = "getRoleMiningPotentialRole";

    /// <summary>Every rate-limited operation the emulator serves (the token endpoint is not one).</summary>
    public static IReadOnlyCollection<string> RateLimited { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        GetRoleMiningSessions, GetRoleMiningSession, GetRoleMiningSessionStatus, GetPotentialRoleSummaries, GetPotentialRole,
        GetEntitlementsPotentialRole, GetIdentitiesPotentialRole, ExportRoleMiningPotentialRole, ExportRoleMiningPotentialRoleAsync,
        ExportRoleMiningPotentialRoleStatus, DownloadRoleMiningPotentialRoleZip, GetRoleMiningPotentialRole,
    };

    /// <summary>The operationId as the spec of <paramref name="apiVersion"/> names it (<c>v1</c> appends <c>V1</c>).</summary>
    public static string ForVersion(string operationId, string apiVersion) =>
        string.Equals(apiVersion, ApiVersions.V1, StringComparison.OrdinalIgnoreCase) ? operationId + "V1" : operationId;
}

/// <summary>The API versions the emulator serves.</summary>
public static class ApiVersions
{
    /// <summary>Base path <c>/v2024</c>.</summary>
    public const string V2024 = "v2024";

    /// <summary>Base path <c>/v2025</c>.</summary>
    public const string V2025 = "v2025";

    /// <summary>Base path <c>/v2026</c> (same spec as v2025).</summary>
    public const string V2026 = "v2026";

    /// <summary>Base path <c>/beta</c> (no experimental header required).</summary>
    public const string Beta = "beta";

    /// <summary>Per-resource versioning: <c>/role-mining-sessions/v1/...</c>, <c>/role-mining-potential-roles/v1/...</c>.</summary>
    public const string V1 = "v1";

    /// <summary>Every served version.</summary>
    public static IReadOnlyList<string> All { get; } = [V2024, V2025, V2026, Beta, V1];

    /// <summary>Whether the spec of <paramref name="apiVersion"/> requires <c>X-SailPoint-Experimental: true</c>.</summary>
    public static bool RequiresExperimentalHeader(string apiVersion) =>
        !string.Equals(apiVersion, Beta, StringComparison.OrdinalIgnoreCase);

    /// <summary>The path of <paramref name="resourcePath"/> (e.g. <c>role-mining-sessions/{id}/status</c>) in
    /// <paramref name="apiVersion"/>, relative to the server root and without a leading slash.</summary>
    public static string PathFor(string apiVersion, string resourcePath)
    {
        ArgumentNullException.ThrowIfNull(apiVersion);
        ArgumentNullException.ThrowIfNull(resourcePath);
        if (!string.Equals(apiVersion, V1, StringComparison.OrdinalIgnoreCase))
        {
            return apiVersion + "/" + resourcePath;
        }

        var slash = resourcePath.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? resourcePath + "/v1" : resourcePath[..slash] + "/v1" + resourcePath[slash..];
    }
}
