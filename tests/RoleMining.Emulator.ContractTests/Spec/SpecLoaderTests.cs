using System.Text.Json.Nodes;
using RoleMining.Emulator.ContractTests.TestSupport;
using YamlDotNet.RepresentationModel;

namespace RoleMining.Emulator.ContractTests.Spec;

public sealed class SpecLoaderTests
{
    private readonly SpecCatalog catalog = SpecCatalog.Instance;

    [Fact]
    public void The_repository_root_is_the_folder_with_Functions_sln()
    {
        Assert.True(File.Exists(Path.Combine(RepositoryPaths.RepositoryRoot, "Functions.sln")));
        Assert.True(File.Exists(Path.Combine(RepositoryPaths.SailPointSpecFolder, "SOURCE.md")));
    }

    [Theory]
    [InlineData("plain: 001", "1")]
    [InlineData("plain: '001'", "\"001\"")]
    [InlineData("plain: 07a0b4e2", "\"07a0b4e2\"")]
    [InlineData("plain: 65.2", "65.2")]
    [InlineData("plain: true", "true")]
    [InlineData("plain: 'true'", "\"true\"")]
    [InlineData("plain: ~", "null")]
    [InlineData("plain:", "null")]
    [InlineData("plain: !!str 12", "\"12\"")]
    [InlineData("plain: 2021-09-08T16:11:05.348Z", "\"2021-09-08T16:11:05.348Z\"")]
    public void YAML_scalars_are_typed_by_the_YAML_1_2_core_schema(string yaml, string expectedJson)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var json = YamlJsonConverter.Convert(stream.Documents[0].RootNode)!.AsObject()["plain"];

        Assert.Equal(expectedJson, json?.ToJsonString() ?? "null");
    }

    [Fact]
    public void References_resolve_across_files_and_through_json_pointers()
    {
        using var folder = new TemporarySpecFolder();
        folder.Write("defs/shared.yaml", "definitions:\n  Thing:\n    $ref: '#/definitions/Inner'\n  Inner:\n    type: integer\n  'a/b':\n    type: boolean\n");
        var root = folder.Write("root.yaml", "first:\n  $ref: ./defs/shared.yaml#/definitions/Thing\nsecond:\n  $ref: 'defs/shared.yaml#/definitions/a~1b'\n");
        var documents = new SpecDocuments();
        var document = documents.Load(root);

        var first = documents.Dereference(document.Child("first"));
        var second = documents.Dereference(document.Child("second"));

        Assert.Equal("integer", first.GetString("type"));
        Assert.Equal("/definitions/Inner", first.JsonPointer);
        Assert.EndsWith("shared.yaml", first.File, StringComparison.Ordinal);
        Assert.Equal("boolean", second.GetString("type"));
    }

    [Fact]
    public void A_reference_to_a_missing_file_or_pointer_fails_loudly()
    {
        using var folder = new TemporarySpecFolder();
        var root = folder.Write("root.yaml", "a:\n  $ref: ./missing.yaml\nb:\n  $ref: '#/nowhere'\n");
        var documents = new SpecDocuments();
        var document = documents.Load(root);

        Assert.Contains("missing file", Assert.Throws<InvalidOperationException>(() => documents.Dereference(document.Child("a"))).Message, StringComparison.Ordinal);
        Assert.Contains("nothing at", Assert.Throws<InvalidOperationException>(() => documents.Dereference(document.Child("b"))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_version_has_the_21_role_mining_paths_and_their_25_operations()
    {
        foreach (var version in ApiVersion.All)
        {
            var operations = catalog.Operations(version);
            Assert.Equal(25, operations.Count);
            Assert.Equal(21, operations.Select(o => o.PathTemplate).Distinct().Count());
            Assert.All(operations, o => Assert.Contains(o.Responses.Keys, status => status.StartsWith('2')));
        }
    }

    [Fact]
    public void Operations_pair_up_across_versions_by_operation_id()
    {
        var v2024 = catalog.Operations(ApiVersion.V2024).Select(o => o.BaseOperationId).Order().ToList();

        Assert.Equal(v2024, catalog.Operations(ApiVersion.V2025).Select(o => o.BaseOperationId).Order());
        Assert.Equal(v2024, catalog.Operations(ApiVersion.V2026).Select(o => o.BaseOperationId).Order());
        Assert.Equal(v2024, catalog.Operations(ApiVersion.V1).Select(o => o.BaseOperationId).Order());
        // Beta names the PATCH of a potential role differently; everything else matches.
        Assert.Equal(
            v2024.Where(id => id != "patchPotentialRole").Append("patchRoleMiningPotentialRole").Order(),
            catalog.Operations(ApiVersion.Beta).Select(o => o.BaseOperationId).Order());
    }

    [Fact]
    public void The_experimental_header_is_required_everywhere_except_beta()
    {
        foreach (var version in new[] { ApiVersion.V2024, ApiVersion.V2025, ApiVersion.V2026, ApiVersion.V1 })
        {
            Assert.All(catalog.Operations(version), o =>
            {
                Assert.True(o.RequiresExperimentalHeader, $"{o} does not require the header");
                Assert.Equal("true", o.FindParameter(SpecCatalog.ExperimentalHeader, "header")!.DefaultText);
            });
        }

        Assert.All(catalog.Operations(ApiVersion.Beta), o => Assert.Null(o.FindParameter(SpecCatalog.ExperimentalHeader, "header")));
    }

    [Fact]
    public void The_known_upstream_defects_are_corrected_exactly_where_SOURCE_md_says()
    {
        string[] Where(SpecDefectKind kind) => catalog.CorrectedDefects
            .Where(d => d.Kind == kind)
            .Select(d => $"{d.Version.Name} {d.OperationId}")
            .Distinct()
            .Order(StringComparer.Ordinal)
            .ToArray();

        // 1. default: true (YAML boolean) on every experimental header: 25 operations in each of 4 versions.
        var booleanDefaults = Where(SpecDefectKind.BooleanDefaultForStringSchema);
        Assert.Equal(100, booleanDefaults.Length);
        Assert.DoesNotContain(booleanDefaults, d => d.StartsWith("beta ", StringComparison.Ordinal));

        // 2. sessionId declared on PATCH /role-mining-potential-roles/{potentialRoleId}, not in beta.
        Assert.Equal(
            ["v1 patchPotentialRoleV1", "v2024 patchPotentialRole", "v2025 patchPotentialRole", "v2026 patchPotentialRole"],
            Where(SpecDefectKind.PathParameterNotInPath));
        Assert.Null(catalog.Operation(ApiVersion.V2024, "patchPotentialRole").FindParameter("sessionId", "path"));

        // 3. GET /role-mining-sessions/{sessionId}: 401 -> 400.yaml, in every version.
        Assert.Equal(
            ["beta getRoleMiningSession", "v1 getRoleMiningSessionV1", "v2024 getRoleMiningSession", "v2025 getRoleMiningSession", "v2026 getRoleMiningSession"],
            Where(SpecDefectKind.ResponseFileForOtherStatus));
    }

    [Fact]
    public void The_corrected_401_of_getRoleMiningSession_is_the_401_body()
    {
        foreach (var version in ApiVersion.All)
        {
            var unauthorized = catalog.Operation(version, "getRoleMiningSession").Response(401)!;
            var schema = catalog.Documents.Dereference(unauthorized.Content["application/json"]);

            Assert.True(schema.Child("properties").Has("error"), $"{version}: {schema.DisplayName}");
            Assert.EndsWith("401.yaml", unauthorized.Definition.File, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Schemas_resolve_through_shared_folders_of_other_versions()
    {
        var v1Status = catalog.Operation(ApiVersion.V1, "getRoleMiningSessionStatus");
        var state = catalog.Documents.Dereference(catalog.Documents.Dereference(v1Status.Response(200)!.Content["application/json"]).Child("properties").Child("state"));
        Assert.Contains(JsonValue.Create("POTENTIAL_ROLES_CREATED"), state.Child("enum").Node!.AsArray(), JsonNodeEqualityComparer);

        // beta's error responses live in ../../v3/responses, v1's limit parameter in ../../shared/parameters.
        var betaBadRequest = catalog.Operation(ApiVersion.Beta, "getRoleMiningSessions").Response(400)!;
        Assert.Equal("ErrorResponseDto", catalog.Documents.Dereference(betaBadRequest.Content["application/json"]).SchemaFileName);
        Assert.Contains($"{Path.DirectorySeparatorChar}v3{Path.DirectorySeparatorChar}", betaBadRequest.Definition.File, StringComparison.Ordinal);

        var limit = catalog.Operation(ApiVersion.V1, "getRoleMiningSessions").FindParameter("limit", "query")!;
        Assert.Equal("250", limit.DefaultText);
        Assert.Equal(250, catalog.Documents.Dereference(limit.Schema).Child("maximum").Node!.GetValue<long>());
    }

    [Theory]
    [InlineData("v2024", "/v2024/role-mining-sessions/a%2Fb/status")]
    [InlineData("v2026", "/v2026/role-mining-sessions/a%2Fb/status")]
    [InlineData("beta", "/beta/role-mining-sessions/a%2Fb/status")]
    [InlineData("v1", "/role-mining-sessions/v1/a%2Fb/status")]
    public void Request_paths_carry_the_version_prefix_and_escaped_ids(string version, string expected)
    {
        var operation = catalog.Operation(ApiVersion.Parse(version), "getRoleMiningSessionStatus");

        Assert.Equal(expected, "/" + operation.RelativePath(new Dictionary<string, string> { ["sessionId"] = "a/b" }));
    }

    private static readonly IEqualityComparer<JsonNode?> JsonNodeEqualityComparer =
        EqualityComparer<JsonNode?>.Create((a, b) => JsonNode.DeepEquals(a, b), n => n?.ToJsonString().GetHashCode(StringComparison.Ordinal) ?? 0);
}
