using RoleMining.Emulator.ContractTests.Spec;

namespace RoleMining.Emulator.ContractTests.Validation;

/// <summary>
/// Examples in the upstream spec that contradict their own schema (found by <see cref="SpecExampleTests"/>; they are
/// the same in every version). The test requires each of them to keep failing, so the list cannot go stale
/// silently, and every other example to pass.
/// </summary>
public static class KnownExampleDefects
{
    private static readonly (string Schema, string Pointer, string Reason)[] SchemaExamples =
    [
        ("RoleMiningSessionScope", "/properties/attributeFilterCriteria/example",
            "attributeFilterCriteria is an array, its example is a single object"),
        ("RoleMiningSessionParametersDto", "/properties/scope/example",
            "the scope example holds the single-object attributeFilterCriteria above"),
        ("RoleMiningPotentialRoleApplication", "/properties/id/example", "a string property whose example is an object {id: ...}"),
        ("RoleMiningPotentialRoleApplication", "/properties/name/example", "a string property whose example is an object {name: ...}"),
        ("RoleMiningPotentialRoleEntitlements", "/properties/id/example", "a string property whose example is an object {id: ...}"),
        ("RoleMiningPotentialRoleEntitlements", "/properties/name/example", "a string property whose example is an object {name: ...}"),
        ("JsonPatchOperation", "/properties/value/oneOf/4/items/example",
            "the array example [\"001\",\"002\",\"003\"] is written on the items schema instead of the array schema"),
    ];

    /// <summary>Why this example is known not to match its schema, or null when it must match.</summary>
    public static string? Explain(SpecExample example)
    {
        if (example.Owner.GetString("in") == "header" && example.Owner.GetString("name") == SpecCatalog.ExperimentalHeader)
        {
            return "`example: true` is a YAML boolean for a string header (the twin of SOURCE.md defect 1)";
        }

        var schemaFile = Path.GetFileNameWithoutExtension(example.Example.File);
        return SchemaExamples
            .Where(d => string.Equals(d.Schema, schemaFile, StringComparison.OrdinalIgnoreCase) && d.Pointer == example.Example.JsonPointer)
            .Select(d => d.Reason)
            .FirstOrDefault();
    }
}
