using System.Text.Json.Nodes;
using RoleMining.Emulator.ContractTests.Spec;
using RoleMining.Emulator.ContractTests.TestSupport;

namespace RoleMining.Emulator.ContractTests.Validation;

/// <summary>
/// The validator against the real schema files (a session, an export, a potential role...) and a few
/// hand-written ones for rules the spec does not exercise. Valid values start from the spec's own examples.
/// </summary>
public sealed class SchemaValidatorTests
{
    private readonly SpecCatalog catalog = SpecCatalog.Instance;
    private readonly SchemaValidator validator = new(SpecCatalog.Instance.Documents);

    [Fact]
    public void The_spec_example_of_a_session_is_valid()
    {
        Assert.Empty(Validate(SessionExample(), "v2024/schemas/RoleMiningSessionResponse.yaml"));
    }

    [Theory]
    [InlineData("potentialRoleCount", "\"8\"", "$.potentialRoleCount: expected integer but found string \"8\"")]
    [InlineData("potentialRoleCount", "8.5", "$.potentialRoleCount: expected integer but found number 8.5")]
    [InlineData("potentialRoleCount", "8.0", "$.potentialRoleCount: expected integer but found number 8.0")]
    [InlineData("saved", "\"true\"", "$.saved: expected boolean but found string \"true\"")]
    [InlineData("scope", "[]", "$.scope: expected object but found array")]
    [InlineData("id", "42", "$.id: expected string but found number 42")]
    public void Wrong_types_are_rejected_at_their_path(string property, string json, string expected)
    {
        var session = SessionExample();
        session[property] = JsonNode.Parse(json);

        Assert.Equal([expected], Validate(session, "v2024/schemas/RoleMiningSessionResponse.yaml"));
    }

    [Fact]
    public void A_value_outside_the_enum_is_rejected_with_the_allowed_values()
    {
        var session = SessionExample();
        session["status"]!["state"] = "FOO";

        var violation = Assert.Single(Validate(session, "v2024/schemas/RoleMiningSessionResponse.yaml"));
        Assert.StartsWith("$.status.state: \"FOO\" not in enum [\"CREATED\", \"UPDATED\",", violation, StringComparison.Ordinal);
        Assert.EndsWith("\"POTENTIAL_ROLES_CREATED\"]", violation, StringComparison.Ordinal);
    }

    [Fact]
    public void Array_items_are_reported_with_their_index()
    {
        var list = new JsonArray(SessionListItem(), SessionListItem(), SessionListItem());
        list[1]!["status"]!["state"] = "FOO";
        list[2]!["potentialRoleCount"] = "many";

        var violations = Validate(list, SessionListSchema(ApiVersion.V2024));

        Assert.Equal(2, violations.Count);
        Assert.StartsWith("$[1].status.state: \"FOO\" not in enum", violations[0], StringComparison.Ordinal);
        Assert.Equal("$[2].potentialRoleCount: expected integer but found string \"many\"", violations[1]);
    }

    [Fact]
    public void Null_is_rejected_where_not_nullable_and_accepted_where_nullable()
    {
        var session = SessionExample();
        session["name"] = null;           // nullable: true
        session["pruneThreshold"] = null; // nullable: true
        session["createdBy"] = null;      // oneOf [object, nullable string]
        Assert.Empty(Validate(session, "v2024/schemas/RoleMiningSessionResponse.yaml"));

        session["potentialRoleCount"] = null;
        session["status"] = null;
        Assert.Equal(
            ["$.potentialRoleCount: null, but schema at RoleMiningSessionResponse.yaml#/properties/potentialRoleCount is not nullable",
             "$.status: null, but RoleMiningSessionStatus is not nullable"],
            Validate(session, "v2024/schemas/RoleMiningSessionResponse.yaml"));
    }

    [Fact]
    public void An_enum_with_a_null_member_accepts_null_and_a_nullable_sibling_of_ref_is_honoured()
    {
        var summary = new JsonObject { ["id"] = "e0cc5d7d-bf7f-4f81-b2af-8885b09d9923", ["provisionState"] = null };

        // v2024 lists null among the provision states; beta does not, and does not mark the summary's property nullable...
        Assert.Empty(Validate(summary, "v2024/schemas/RoleMiningPotentialRoleSummary.yaml"));
        Assert.Equal(
            ["$.provisionState: null, but RoleMiningPotentialRoleProvisionState is not nullable"],
            Validate(summary, "beta/schemas/RoleMiningPotentialRoleSummary.yaml"));

        // ...but beta's potential role writes `nullable: true` beside the $ref, and v2024's wraps it in allOf.
        Assert.Empty(Validate(summary, "beta/schemas/RoleMiningPotentialRole.yaml"));
        Assert.Empty(Validate(summary, "v2024/schemas/RoleMiningPotentialRole.yaml"));
        summary["provisionState"] = "DONE";
        Assert.Single(Validate(summary, "v2024/schemas/RoleMiningPotentialRole.yaml"));
    }

    [Theory]
    [InlineData("0c6cdb76-1227-4aaf-af21-192dbdfbfa04", true)]
    [InlineData("0C6CDB76-1227-4AAF-AF21-192DBDFBFA04", true)]
    [InlineData("0c6cdb7612274aafaf21192dbdfbfa04", false)]
    [InlineData("0c6cdb76-1227-4aaf-af21-192dbdfbfa0", false)]
    [InlineData("{0c6cdb76-1227-4aaf-af21-192dbdfbfa04}", false)]
    [InlineData("export-1", false)]
    public void Uuid_format_is_checked(string exportId, bool valid)
    {
        var export = new JsonObject { ["exportId"] = exportId, ["status"] = "QUEUED" };

        var violations = Validate(export, "v2024/schemas/RoleMiningPotentialRoleExportResponse.yaml");

        Assert.Equal(valid, violations.Count == 0);
        if (!valid)
        {
            Assert.Equal($"$.exportId: \"{exportId}\" is not a uuid (format uuid)", Assert.Single(violations));
        }
    }

    [Theory]
    [InlineData("2021-09-08T16:11:05.348Z", true)]
    [InlineData("2021-09-08T16:11:05Z", true)]
    [InlineData("2021-09-08T16:11:05.3481234+02:00", true)]
    [InlineData("2021-09-08T16:11:05", false)]
    [InlineData("2021-09-08 16:11:05Z", false)]
    [InlineData("2021-13-08T16:11:05Z", false)]
    [InlineData("2021-02-30T16:11:05Z", false)]
    [InlineData("09/08/2021 16:11:05", false)]
    [InlineData("1631117465348", false)]
    public void Date_time_format_is_RFC_3339_with_an_offset(string createdDate, bool valid)
    {
        var session = SessionExample();
        session["createdDate"] = createdDate;

        var violations = Validate(session, "v2024/schemas/RoleMiningSessionResponse.yaml");

        Assert.Equal(valid, violations.Count == 0);
    }

    [Theory]
    [InlineData("identityCount", "2147483647", true)]
    [InlineData("identityCount", "2147483648", false)]
    [InlineData("identityCount", "-2147483649", false)]
    public void Int32_format_bounds_the_value(string property, string json, bool valid)
    {
        var summary = new JsonObject { [property] = JsonNode.Parse(json) };

        Assert.Equal(valid, Validate(summary, "v2024/schemas/RoleMiningPotentialRoleSummary.yaml").Count == 0);
    }

    [Theory]
    [InlineData("65.2", true)]
    [InlineData("3.4e38", true)]
    [InlineData("1e39", false)]
    [InlineData("\"65.2\"", false)]
    public void Float_format_bounds_the_value(string json, bool valid)
    {
        var entitlement = new JsonObject { ["popularity"] = JsonNode.Parse(json) };

        Assert.Equal(valid, Validate(entitlement, "v2024/schemas/RoleMiningEntitlement.yaml").Count == 0);
    }

    [Fact]
    public void Missing_required_properties_are_reported()
    {
        var patch = new JsonObject { ["value"] = "x" };

        Assert.Equal(
            ["$: missing required property \"op\"", "$: missing required property \"path\""],
            Validate(patch, "v2024/schemas/JsonPatchOperation.yaml"));
    }

    [Fact]
    public void Undeclared_properties_are_reported_as_a_fidelity_problem()
    {
        var session = SessionExample();
        session["inventedField"] = 1;
        session["status"]!["progress"] = 50;

        var violations = validator.Validate(session, Schema("v2024/schemas/RoleMiningSessionResponse.yaml"));

        Assert.All(violations, v => Assert.Equal(ViolationKind.UndeclaredProperty, v.Kind));
        Assert.Equal(
            ["$.inventedField: property not declared by RoleMiningSessionResponse", "$.status.progress: property not declared by RoleMiningSessionStatus"],
            violations.Select(v => v.ToString()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void OneOf_picks_the_matching_branch_and_reports_its_undeclared_properties()
    {
        var session = SessionExample();
        session["createdBy"] = new JsonObject { ["id"] = "2c918090761a5aac0176215c46a62d58", ["displayName"] = "Ashley.Pierce" };
        Assert.Empty(Validate(session, "v2024/schemas/RoleMiningSessionResponse.yaml"));

        session["createdBy"]!["email"] = "a@example.com";
        Assert.Equal(["$.createdBy.email: property not declared by EntityCreatedByDTO"], Validate(session, "v2024/schemas/RoleMiningSessionResponse.yaml"));

        session["createdBy"] = 5;
        var violation = Assert.Single(Validate(session, "v2024/schemas/RoleMiningSessionResponse.yaml"));
        Assert.StartsWith("$.createdBy: matches none of oneOf [EntityCreatedByDTO: expected object but found number 5; NullableEntityCreatedByDTO: expected string", violation, StringComparison.Ordinal);
    }

    [Fact]
    public void AllOf_branches_declare_properties_together()
    {
        var export = new JsonObject
        {
            ["minEntitlementPopularity"] = 0,
            ["includeCommonAccess"] = true,
            ["exportId"] = "0c6cdb76-1227-4aaf-af21-192dbdfbfa04",
            ["status"] = "SUCCESS",
        };
        Assert.Empty(Validate(export, "v2024/schemas/RoleMiningPotentialRoleExportResponse.yaml"));

        export["downloadUrl"] = "https://example.com";
        export["status"] = "DONE";
        Assert.Equal(
            ["$.downloadUrl: property not declared by RoleMiningPotentialRoleExportResponse",
             "$.status: \"DONE\" not in enum [\"QUEUED\", \"IN_PROGRESS\", \"SUCCESS\", \"ERROR\"]"],
            Validate(export, "v2024/schemas/RoleMiningPotentialRoleExportResponse.yaml").Order(StringComparer.Ordinal));
    }

    [Fact]
    public void AdditionalProperties_schemas_validate_each_extra_property()
    {
        var identity = new JsonObject
        {
            ["id"] = "2c9180877212632a017228d5934525e6",
            ["name"] = "Allene Abernathy-Welch",
            ["attributes"] = new JsonObject { ["department"] = "IT", ["location"] = null, ["floor"] = 5 },
        };

        Assert.Equal(["$.attributes.floor: expected string but found number 5"], Validate(identity, "v2024/schemas/RoleMiningIdentity.yaml"));
    }

    [Fact]
    public void Free_form_objects_declare_nothing_and_accept_any_property()
    {
        var session = SessionExample();
        session["scope"]!["attributeFilterCriteria"] = new JsonArray(new JsonObject { ["data"] = new JsonObject { ["name"] = "location" } });

        Assert.Empty(Validate(session, "v2024/schemas/RoleMiningSessionResponse.yaml"));
    }

    [Fact]
    public void Session_list_items_may_carry_the_single_session_fields_and_those_are_validated()
    {
        var item = SessionListItem();
        Assert.Empty(Validate(new JsonArray(item.DeepClone()), SessionListSchema(ApiVersion.V1)));

        item["status"]!["state"] = "FOO";
        item["modifiedDate"] = "yesterday";
        item["listOnlyField"] = true;
        var violations = validator.Validate(new JsonArray(item), SessionListSchema(ApiVersion.V1));

        Assert.Equal(3, violations.Count);
        Assert.StartsWith("$[0].status.state: \"FOO\" not in enum", violations.Single(v => v.Path == "$[0].status.state").ToString(), StringComparison.Ordinal);
        Assert.Equal(ViolationKind.Structure, violations.Single(v => v.Path == "$[0].modifiedDate").Kind);
        var undeclared = violations.Single(v => v.Kind == ViolationKind.UndeclaredProperty);
        Assert.Equal("$[0].listOnlyField: property not declared by roleminingsessiondto", undeclared.ToString());
    }

    [Fact]
    public void AdditionalProperties_false_anyOf_and_ambiguous_oneOf_follow_their_rules()
    {
        using var folder = new TemporarySpecFolder();
        folder.Write("Closed.yaml", "type: object\nproperties:\n  a:\n    type: string\nadditionalProperties: false\n");
        folder.Write("Choice.yaml", "anyOf:\n  - type: string\n    format: uuid\n  - type: integer\n");
        folder.Write("Twice.yaml", "oneOf:\n  - type: string\n  - $ref: './Choice.yaml'\n");
        var documents = new SpecDocuments();
        var local = new SchemaValidator(documents);
        IEnumerable<string> Check(string json, string file) =>
            local.Validate(JsonNode.Parse(json), documents.Load(Path.Combine(folder.Root, file))).Select(v => v.ToString());

        Assert.Equal(["$.b: property not allowed by Closed (additionalProperties: false)"], Check("""{"a":"x","b":1}""", "Closed.yaml"));
        Assert.Empty(Check("7", "Choice.yaml"));
        Assert.Empty(Check("\"0c6cdb76-1227-4aaf-af21-192dbdfbfa04\"", "Choice.yaml"));
        Assert.StartsWith("$: matches none of anyOf", Assert.Single(Check("\"x\"", "Choice.yaml")), StringComparison.Ordinal);
        Assert.StartsWith("$: matches 2 of oneOf", Assert.Single(Check("\"0c6cdb76-1227-4aaf-af21-192dbdfbfa04\"", "Twice.yaml")), StringComparison.Ordinal);
        Assert.Empty(Check("\"plain text\"", "Twice.yaml"));
    }

    private List<string> Validate(JsonNode? instance, string schemaFile) => Validate(instance, Schema(schemaFile));

    private List<string> Validate(JsonNode? instance, SpecNode schema) =>
        validator.Validate(instance, schema).Select(v => v.ToString()).ToList();

    private SpecNode Schema(string relativePath) => catalog.Documents.Load(Path.Combine(catalog.SpecFolder, relativePath));

    private SpecNode SessionListSchema(ApiVersion version) =>
        catalog.Operation(version, "getRoleMiningSessions").Response(200)!.Content["application/json"];

    /// <summary>A fresh copy of the spec's own example of a session.</summary>
    private JsonObject SessionExample() =>
        Schema("v2024/schemas/RoleMiningSessionResponse.yaml").Child("example").Node!.DeepClone().AsObject();

    private JsonObject SessionListItem()
    {
        var item = SessionExample();
        item["status"] = new JsonObject { ["state"] = "POTENTIAL_ROLES_CREATED" };
        return item;
    }
}
