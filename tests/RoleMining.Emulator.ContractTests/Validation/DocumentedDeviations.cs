namespace RoleMining.Emulator.ContractTests.Validation;

/// <summary>
/// Properties that real ISC responses carry although the schema does not declare them. The validator's
/// fidelity check (no undeclared properties) accepts exactly these, and still validates their values.
/// Keep this list short and explained: every entry is a place where the spec is known to under-document ISC.
/// </summary>
public static class DocumentedDeviations
{
    /// <summary>
    /// Objects validated against <see cref="Schema"/> may also carry the properties that <see cref="AlsoDeclaredBy"/>
    /// (a schema file in the same folder) declares; their values are validated against that schema's property schemas.
    /// </summary>
    public sealed record ExtraPropertiesFrom(string Schema, string AlsoDeclaredBy, string Reason);

    public static IReadOnlyList<ExtraPropertiesFrom> All { get; } =
    [
        // GET /role-mining-sessions documents its items as RoleMiningSessionDto (the create-request body) in v2024,
        // v2025 and v1, which has no `id`, `status`, `createdBy`, `createdDate`... ISC returns the same objects as
        // GET /role-mining-sessions/{id} (beta's spec says so: its list items are RoleMiningSessionResponse), and a client
        // cannot use a session list without the ids, so list items are held to RoleMiningSessionResponse.
        new("RoleMiningSessionDto", "RoleMiningSessionResponse",
            "session list items carry the single-session fields (id, status, createdBy, createdDate, ...)"),
    ];

    /// <summary>The deviation for a schema file name (case-insensitive: the v1 files are lower-case), if any.</summary>
    public static ExtraPropertiesFrom? For(string? schemaFileName) =>
        schemaFileName is null ? null : All.FirstOrDefault(d => string.Equals(d.Schema, schemaFileName, StringComparison.OrdinalIgnoreCase));
}
