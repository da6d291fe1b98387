using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using RoleMining.Emulator.ContractTests.Spec;

namespace RoleMining.Emulator.ContractTests.Validation;

/// <summary>
/// Validates JSON against the OpenAPI 3.0 schema subset the SailPoint role-mining files use: type, format
/// (uuid, date-time, int32, int64, float, double), enum (a null member allows null), nullable, properties,
/// additionalProperties, items, allOf, oneOf, anyOf and required.
/// </summary>
/// <remarks>
/// Hand-written, although JsonSchema.Net (a JSON Schema 2020-12 validator) now restores: OpenAPI 3.0 schemas are not JSON
/// Schema. It would need every spec file (YAML, cross-file relative $refs) rewritten first: <c>nullable</c> (unknown to
/// JSON Schema, so null would fail its <c>type</c>) turned into type unions, the $ref siblings below honoured, the OpenAPI
/// formats int32/int64/float/double registered as custom formats, the integer rule (2) a custom keyword (JSON Schema
/// counts 20.0 as an integer), and the fidelity check below injected as <c>unevaluatedProperties</c> with the documented
/// deviations spliced in. That translator would be as large as this validator and harder to read, so this stays.
/// Beyond the schema it performs a fidelity check:
/// an object validated against a schema that declares properties (and says nothing about additionalProperties)
/// must not carry undeclared ones, except those in <see cref="DocumentedDeviations"/>.
/// Two readings of the spec that are deliberate: (1) OpenAPI 3.0 ignores siblings of $ref, but SailPoint writes
/// <c>nullable: true</c> beside $ref meaning it (beta's potential-role provisionState), so a nullable sibling is honoured;
/// (2) an integer must be written without fraction or exponent, because typed clients (System.Text.Json into int,
/// SailPoint's SDKs) reject 20.0.
/// </remarks>
public sealed partial class SchemaValidator(SpecDocuments documents)
{
    public IReadOnlyList<SchemaViolation> Validate(JsonNode? instance, SpecNode schema)
    {
        var violations = new List<SchemaViolation>();
        Validate(instance, schema, "$", violations, checkUndeclared: true);
        return violations;
    }

    private void Validate(JsonNode? instance, SpecNode schemaEntry, string path, List<SchemaViolation> violations, bool checkUndeclared)
    {
        var nullableBesideRef = schemaEntry.Has("$ref") && schemaEntry.GetBoolean("nullable");
        var schema = documents.Dereference(schemaEntry);
        if (schema.AsObject is null)
        {
            return; // No schema (or `true`): anything goes.
        }

        if (instance is null)
        {
            if (!nullableBesideRef && !AcceptsNull(schema))
            {
                violations.Add(Structure(path, $"null, but {Name(schema)} is not nullable"));
            }

            return;
        }

        var type = schema.GetString("type");
        if (type is not null && !HasType(instance, type))
        {
            violations.Add(Structure(path, $"expected {type} but found {Describe(instance)}"));
            return;
        }

        CheckFormat(instance, schema.GetString("format"), path, violations);
        CheckEnum(instance, schema, path, violations);
        if (instance is JsonObject obj)
        {
            CheckObject(obj, schema, path, violations, checkUndeclared);
        }

        if (instance is JsonArray array && schema.Child("items") is { Node: not null } items)
        {
            for (var i = 0; i < array.Count; i++)
            {
                Validate(array[i], items, $"{path}[{i.ToString(CultureInfo.InvariantCulture)}]", violations, checkUndeclared: true);
            }
        }

        foreach (var branch in schema.Child("allOf").Items())
        {
            // Undeclared properties are judged once, here, against the union of all branches (CheckObject).
            Validate(instance, branch, path, violations, checkUndeclared: false);
        }

        CheckAlternatives(instance, schema, "oneOf", path, violations);
        CheckAlternatives(instance, schema, "anyOf", path, violations);
    }

    private bool AcceptsNull(SpecNode schema)
    {
        if (schema.GetBoolean("nullable") || (schema.Child("enum").Node is JsonArray members && members.Contains(null)))
        {
            return true;
        }

        // A schema made only of composition accepts null when its branches do (oneOf: exactly one).
        var allOf = schema.Child("allOf").Items().ToList();
        var oneOf = schema.Child("oneOf").Items().ToList();
        var anyOf = schema.Child("anyOf").Items().ToList();
        if (schema.Has("type") || allOf.Count + oneOf.Count + anyOf.Count == 0)
        {
            return false;
        }

        bool BranchAccepts(SpecNode branch) => (branch.Has("$ref") && branch.GetBoolean("nullable")) || AcceptsNull(documents.Dereference(branch));
        return allOf.All(BranchAccepts)
            && (oneOf.Count == 0 || oneOf.Count(BranchAccepts) == 1)
            && (anyOf.Count == 0 || anyOf.Any(BranchAccepts));
    }

    private void CheckObject(JsonObject obj, SpecNode schema, string path, List<SchemaViolation> violations, bool checkUndeclared)
    {
        foreach (var required in schema.Child("required").Items())
        {
            if (required.Node is JsonValue name && name.TryGetValue<string>(out var requiredName) && !obj.ContainsKey(requiredName))
            {
                violations.Add(Structure(path, $"missing required property \"{requiredName}\""));
            }
        }

        var properties = schema.Child("properties");
        var additional = schema.Child("additionalProperties");
        foreach (var (name, value) in obj)
        {
            var propertyPath = PropertyPath(path, name);
            if (properties.Has(name))
            {
                Validate(value, properties.Child(name), propertyPath, violations, checkUndeclared: true);
            }
            else if (additional.Node is JsonValue allowed && allowed.GetValueKind() == JsonValueKind.False)
            {
                violations.Add(Structure(propertyPath, $"property not allowed by {Name(schema)} (additionalProperties: false)"));
            }
            else if (additional.Node is JsonObject)
            {
                Validate(value, additional, propertyPath, violations, checkUndeclared: true);
            }
        }

        if (checkUndeclared && additional.Node is null)
        {
            CheckUndeclared(obj, schema, path, violations);
        }
    }

    /// <summary>The fidelity check: properties that neither the schema (with its allOf branches) nor a documented deviation declares.</summary>
    private void CheckUndeclared(JsonObject obj, SpecNode schema, string path, List<SchemaViolation> violations)
    {
        var declared = new HashSet<string>(StringComparer.Ordinal);
        var deviations = new List<SpecNode>();
        CollectDeclared(schema, declared, deviations);
        if (declared.Count == 0)
        {
            return; // A free-form object (`type: object` alone) declares nothing to compare with.
        }

        foreach (var (name, value) in obj)
        {
            if (declared.Contains(name))
            {
                continue;
            }

            var propertyPath = PropertyPath(path, name);
            var supplement = deviations.FirstOrDefault(d => d.Child("properties").Has(name));
            if (supplement is not null)
            {
                Validate(value, supplement.Child("properties").Child(name), propertyPath, violations, checkUndeclared: true);
            }
            else
            {
                violations.Add(new SchemaViolation(propertyPath, $"property not declared by {Name(schema)}", ViolationKind.UndeclaredProperty));
            }
        }
    }

    private void CollectDeclared(SpecNode schema, HashSet<string> declared, List<SpecNode> deviations)
    {
        foreach (var (name, _) in schema.Child("properties").Properties())
        {
            declared.Add(name);
        }

        if (DocumentedDeviations.For(schema.SchemaFileName) is { } deviation)
        {
            var folder = Path.GetDirectoryName(schema.File)!;
            var file = Directory.EnumerateFiles(folder, "*.yaml")
                .Single(f => string.Equals(Path.GetFileNameWithoutExtension(f), deviation.AlsoDeclaredBy, StringComparison.OrdinalIgnoreCase));
            deviations.Add(documents.Load(file));
        }

        foreach (var branch in schema.Child("allOf").Items())
        {
            CollectDeclared(documents.Dereference(branch), declared, deviations);
        }
    }

    private void CheckAlternatives(JsonNode instance, SpecNode schema, string keyword, string path, List<SchemaViolation> violations)
    {
        var branches = schema.Child(keyword).Items().ToList();
        if (branches.Count == 0)
        {
            return;
        }

        var outcomes = branches.Select(branch =>
        {
            var found = new List<SchemaViolation>();
            Validate(instance, branch, path, found, checkUndeclared: true);
            return (Branch: branch, Violations: found, Matches: found.TrueForAll(v => v.Kind != ViolationKind.Structure));
        }).ToList();
        var matching = outcomes.Where(o => o.Matches).ToList();
        var expectsOne = keyword == "oneOf";
        if (matching.Count == 0 || (expectsOne && matching.Count > 1))
        {
            var detail = string.Join("; ", outcomes.Select(o =>
                $"{Name(documents.Dereference(o.Branch))}: {(o.Matches ? "matches" : o.Violations.First(v => v.Kind == ViolationKind.Structure).Message)}"));
            var problem = matching.Count == 0 ? "matches none" : $"matches {matching.Count}";
            violations.Add(Structure(path, $"{problem} of {keyword} [{detail}]"));
            return;
        }

        // The matching branch with the fewest undeclared properties speaks for the value.
        violations.AddRange(matching.MinBy(o => o.Violations.Count).Violations);
    }

    private static void CheckEnum(JsonNode instance, SpecNode schema, string path, List<SchemaViolation> violations)
    {
        if (schema.Child("enum").Node is not JsonArray members || members.Any(member => SameValue(member, instance)))
        {
            return;
        }

        var allowed = string.Join(", ", members.Select(m => m is null ? "null" : m.ToJsonString()));
        violations.Add(Structure(path, $"{instance.ToJsonString()} not in enum [{allowed}]"));
    }

    private static bool SameValue(JsonNode? member, JsonNode instance) =>
        member is not null && member.GetValueKind() == instance.GetValueKind() && member.ToJsonString() == instance.ToJsonString();

    private static void CheckFormat(JsonNode instance, string? format, string path, List<SchemaViolation> violations)
    {
        if (format is null || instance is not JsonValue value)
        {
            return;
        }

        var kind = value.GetValueKind();
        var problem = (format, kind) switch
        {
            ("uuid", JsonValueKind.String) when !Guid.TryParseExact(value.GetValue<string>(), "D", out _) => "is not a uuid",
            ("date-time", JsonValueKind.String) when !IsDateTime(value.GetValue<string>()) => "is not an RFC 3339 date-time",
            ("int32", JsonValueKind.Number) when !FitsIn(value, int.MinValue, int.MaxValue) => "is outside int32",
            ("int64", JsonValueKind.Number) when !FitsIn(value, long.MinValue, long.MaxValue) => "is outside int64",
            ("float", JsonValueKind.Number) when !(Number(value) is var n && double.IsFinite(n) && Math.Abs(n) <= float.MaxValue) => "is outside float",
            ("double", JsonValueKind.Number) when !double.IsFinite(Number(value)) => "is outside double",
            _ => null, // Other formats (binary, comma-separated) are descriptive only.
        };
        if (problem is not null)
        {
            violations.Add(Structure(path, $"{value.ToJsonString()} {problem} (format {format})"));
        }
    }

    private static bool IsDateTime(string text) =>
        RfcDateTime().IsMatch(text)
        && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out _);

    private static bool FitsIn(JsonValue value, decimal min, decimal max) =>
        decimal.TryParse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && number >= min && number <= max;

    private static double Number(JsonValue value) =>
        double.Parse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture);

    private static bool HasType(JsonNode instance, string type) => (type, instance.GetValueKind()) switch
    {
        ("object", JsonValueKind.Object) => true,
        ("array", JsonValueKind.Array) => true,
        ("string", JsonValueKind.String) => true,
        ("boolean", JsonValueKind.True or JsonValueKind.False) => true,
        ("number", JsonValueKind.Number) => true,
        ("integer", JsonValueKind.Number) => instance.ToJsonString().IndexOfAny(['.', 'e', 'E']) < 0,
        _ => false,
    };

    private static string Describe(JsonNode instance) => instance.GetValueKind() switch
    {
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => $"string {Shorten(instance.ToJsonString())}",
        JsonValueKind.Number => $"number {instance.ToJsonString()}",
        JsonValueKind.True or JsonValueKind.False => $"boolean {instance.ToJsonString()}",
        var kind => kind.ToString(),
    };

    private static string Shorten(string text) => text.Length <= 60 ? text : string.Concat(text.AsSpan(0, 57), "...");

    private static string Name(SpecNode schema) =>
        schema.SchemaFileName ?? schema.GetString("title") ?? $"schema at {schema.DisplayName}";

    private static string PropertyPath(string path, string name) =>
        PlainName().IsMatch(name) ? $"{path}.{name}" : $"{path}['{name.Replace("'", "\\'", StringComparison.Ordinal)}']";

    private static SchemaViolation Structure(string path, string message) => new(path, message, ViolationKind.Structure);

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex RfcDateTime();

    [GeneratedRegex("^[A-Za-z_$][A-Za-z0-9_$]*$", RegexOptions.CultureInvariant)]
    private static partial Regex PlainName();
}
