namespace RoleMining.SailPoint;

/// <summary>How each <see cref="RoleMiningApiVersion"/> is written in a URL and in configuration.</summary>
internal static class RoleMiningApiVersions
{
    private static readonly RoleMiningApiVersion[] All = Enum.GetValues<RoleMiningApiVersion>();

    /// <summary>The versions as configuration takes them, for messages: <c>v2024, v2025, v2026, beta, v1</c>.</summary>
    public static string Written { get; } = string.Join(", ", All.Select(PathSegment));

    /// <summary>The version's URL segment: <c>v2024</c>, <c>beta</c>, <c>v1</c>.</summary>
    public static string PathSegment(this RoleMiningApiVersion version) => version switch
    {
        RoleMiningApiVersion.V2024 => "v2024",
        RoleMiningApiVersion.V2025 => "v2025",
        RoleMiningApiVersion.V2026 => "v2026",
        RoleMiningApiVersion.Beta => "beta",
        RoleMiningApiVersion.V1 => "v1",
        _ => throw new ArgumentOutOfRangeException(nameof(version), version, $"Not a SailPoint API version; use one of {Written}."),
    };

    /// <summary>The version whose URL segment <paramref name="segment"/> is (case-insensitive), or null.</summary>
    public static RoleMiningApiVersion? FromPathSegment(string segment)
    {
        foreach (var version in All)
        {
            if (string.Equals(version.PathSegment(), segment, StringComparison.OrdinalIgnoreCase))
            {
                return version;
            }
        }

        return null;
    }
}
