namespace RoleMining.SailPoint;

/// <summary>The API versions of the role-mining endpoints, as written in <see cref="SailPointOptions.ApiVersion"/>.</summary>
public static class SailPointApiVersions
{
    /// <summary><c>/v2024/role-mining-sessions/...</c> (default).</summary>
    public const string V2024 = "v2024";

    /// <summary><c>/v2025/role-mining-sessions/...</c>.</summary>
    public const string V2025 = "v2025";

    /// <summary><c>/v2026/role-mining-sessions/...</c>.</summary>
    public const string V2026 = "v2026";

    /// <summary><c>/beta/role-mining-sessions/...</c>; the only version without <c>X-SailPoint-Experimental</c>.</summary>
    public const string Beta = "beta";

    /// <summary>Per-resource version: <c>/role-mining-sessions/v1/...</c>.</summary>
    public const string V1 = "v1";

    /// <summary>Every supported version.</summary>
    public static IReadOnlyList<string> All { get; } = [V2024, V2025, V2026, Beta, V1];

    /// <summary>Whether <paramref name="version"/> is supported (case-insensitive).</summary>
    public static bool IsSupported(string? version) =>
        version is not null && All.Contains(version, StringComparer.OrdinalIgnoreCase);
}
