namespace RoleMining.Emulator.ContractTests.Spec;

/// <summary>One API version the emulator serves, and the spec document that describes it.</summary>
/// <param name="Name">The version as the tests name it: v2024, v2025, v2026, beta, v1.</param>
/// <param name="RootDocument">Root document, relative to <c>spec/sailpoint</c>.</param>
/// <param name="UrlPrefix">What precedes the spec's path templates in a request URL ("" for v1, whose paths carry the version).</param>
public sealed record ApiVersion(string Name, string RootDocument, string UrlPrefix)
{
    public static readonly ApiVersion V2024 = new("v2024", "v2024/role-mining.openapi.yaml", "v2024");
    public static readonly ApiVersion V2025 = new("v2025", "v2025/role-mining.openapi.yaml", "v2025");

    /// <summary>
    /// Not vendored: SOURCE.md says upstream idn/v2026 equals v2025 apart from the base URL, so the
    /// v2025 documents describe it.
    /// </summary>
    public static readonly ApiVersion V2026 = new("v2026", "v2025/role-mining.openapi.yaml", "v2026");

    public static readonly ApiVersion Beta = new("beta", "beta/role-mining.openapi.yaml", "beta");
    public static readonly ApiVersion V1 = new("v1", "v1/iai-role-mining/role-mining.openapi.yaml", string.Empty);

    public static IReadOnlyList<ApiVersion> All { get; } = [V2024, V2025, V2026, Beta, V1];

    public static ApiVersion Parse(string name) =>
        All.SingleOrDefault(v => v.Name == name) ?? throw new ArgumentException($"Unknown API version '{name}'.", nameof(name));

    public override string ToString() => Name;
}
