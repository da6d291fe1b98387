using System.Text.Json.Nodes;
using Microsoft.OpenApi.Models;
using Microsoft.OpenApi.Readers;
using RoleMining.Api.Routing;

namespace RoleMining.Api.Tests.Routing;

/// <summary>
/// openapi.json is the one source of the API's contract: it is read by OpenAPI.NET's reader (a real OpenAPI 3 parser,
/// with its validation rules), and the custom connector (Swagger 2.0) is checked against it operation by operation, so
/// the two cannot drift: the same response codes, the same response headers, the same parameters with the same types,
/// patterns and bounds, the same request and response schemas, and definitions with the same properties, types, formats,
/// enums and patterns as the components they mirror.
/// </summary>
public sealed class ConnectorDriftTests
{
    private static readonly string OpenApiText = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "openapi.json"));
    private static readonly JsonObject OpenApi = JsonNode.Parse(OpenApiText)!.AsObject();
    private static readonly JsonObject Connector = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Connector", "apiDefinition.swagger.json")))!.AsObject();

    [Fact]
    public void OpenApi_document_is_valid_OpenAPI_3_for_a_real_parser()
    {
        var document = new OpenApiStringReader().Read(OpenApiText, out var diagnostic);

        Assert.Empty(diagnostic.Errors.Select(error => $"{error.Pointer}: {error.Message}"));
        Assert.Equal(Microsoft.OpenApi.OpenApiSpecVersion.OpenApi3_0, diagnostic.SpecificationVersion);
        var operations = document.Paths.SelectMany(path => path.Value.Operations.Select(operation => (Method: operation.Key.ToString().ToUpperInvariant(), Path: path.Key, operation.Value.OperationId))).ToList();
        Assert.Equal(ApiRoutes.All.Select(route => $"{route.Method} {route.Path} {route.OperationId}").Order(), operations.Select(operation => $"{operation.Method} {operation.Path} {operation.OperationId}").Order());
        Assert.Contains(document.Components.SecuritySchemes, scheme => scheme.Value.Type == SecuritySchemeType.Http && scheme.Value.Scheme == "bearer");
        Assert.Contains(document.Components.SecuritySchemes, scheme => scheme.Value.Type == SecuritySchemeType.ApiKey && scheme.Value.In == ParameterLocation.Header);
        Assert.DoesNotContain(document.Components.SecuritySchemes, scheme => scheme.Value.Type == SecuritySchemeType.ApiKey && scheme.Value.In == ParameterLocation.Query);
    }

    [Fact]
    public void Every_operation_has_the_same_response_codes_and_headers_in_both_documents()
    {
        foreach (var route in ApiRoutes.All)
        {
            var openApi = OpenApiOperation(route);
            var connector = ConnectorOperation(route);
            var openApiResponses = openApi["responses"]!.AsObject().ToDictionary(pair => pair.Key, pair => Resolve(OpenApi, pair.Value!.AsObject()));
            var connectorResponses = connector["responses"]!.AsObject().ToDictionary(pair => pair.Key, pair => pair.Value!.AsObject());

            Assert.True(openApiResponses.Keys.Order().SequenceEqual(connectorResponses.Keys.Order()),
                $"{route.OperationId}: openapi.json answers {string.Join(",", openApiResponses.Keys.Order())}, the connector {string.Join(",", connectorResponses.Keys.Order())}");
            foreach (var (code, response) in openApiResponses)
            {
                var expected = (response["headers"]?.AsObject().Select(pair => pair.Key) ?? []).Order().ToList();
                var actual = (connectorResponses[code]["headers"]?.AsObject().Select(pair => pair.Key) ?? []).Order().ToList();
                Assert.True(expected.SequenceEqual(actual), $"{route.OperationId} {code}: headers {string.Join(",", expected)} vs {string.Join(",", actual)}");
                foreach (var header in expected)
                {
                    Assert.Equal((string?)response["headers"]![header]!["schema"]!["type"], (string?)connectorResponses[code]["headers"]![header]!["type"]);
                }

                Assert.Equal(SchemaName(FirstContentSchema(response)), SchemaName(connectorResponses[code]["schema"]?.AsObject()));
            }
        }
    }

    [Fact]
    public void Every_operation_has_the_same_parameters_with_the_same_constraints_in_both_documents()
    {
        string[] constraints = ["type", "format", "pattern", "minimum", "maximum", "minLength", "maxLength", "default"];
        foreach (var route in ApiRoutes.All)
        {
            var openApi = OpenApiOperation(route)["parameters"]?.AsArray().Select(node => Resolve(OpenApi, node!.AsObject())).ToList() ?? [];
            var connector = ConnectorOperation(route)["parameters"]?.AsArray().Select(node => node!.AsObject()).Where(parameter => (string?)parameter["in"] != "body").ToList() ?? [];

            Assert.Equal(openApi.Select(Key).Order(), connector.Select(Key).Order());
            foreach (var parameter in openApi)
            {
                var twin = connector.Single(candidate => Key(candidate) == Key(parameter));
                Assert.Equal((bool?)parameter["required"] ?? false, (bool?)twin["required"] ?? false);
                foreach (var constraint in constraints)
                {
                    Assert.True(JsonNode.DeepEquals(parameter["schema"]![constraint], twin[constraint]), $"{route.OperationId} {Key(parameter)}: {constraint} differs");
                }
            }

            var body = OpenApiOperation(route)["requestBody"]?.AsObject();
            var connectorBody = ConnectorOperation(route)["parameters"]?.AsArray().Select(node => node!.AsObject()).SingleOrDefault(parameter => (string?)parameter["in"] == "body");
            Assert.Equal(body is null, connectorBody is null);
            if (body is not null)
            {
                Assert.Equal(SchemaName(FirstContentSchema(body)), SchemaName(connectorBody!["schema"]!.AsObject()));
                Assert.Equal((bool?)body["required"] ?? false, (bool?)connectorBody["required"] ?? false);
            }
        }
    }

    [Fact]
    public void Every_definition_mirrors_its_component_schema()
    {
        string[] constraints = ["type", "format", "pattern", "minimum", "maximum", "enum", "$ref"];
        var components = OpenApi["components"]!["schemas"]!.AsObject();
        var definitions = Connector["definitions"]!.AsObject();

        Assert.Equal(components.Select(pair => pair.Key).Order(), definitions.Select(pair => pair.Key).Order());
        foreach (var (name, component) in components)
        {
            var definition = definitions[name]!.AsObject();
            var properties = component!["properties"]?.AsObject() ?? [];
            var mirrored = definition["properties"]?.AsObject() ?? [];
            Assert.Equal(properties.Select(pair => pair.Key).Order(), mirrored.Select(pair => pair.Key).Order());
            Assert.True(JsonNode.DeepEquals(component["required"], definition["required"]), $"{name}: required differs");
            foreach (var (property, schema) in properties)
            {
                foreach (var constraint in constraints)
                {
                    var expected = constraint == "$ref" && schema![constraint] is { } reference
                        ? JsonValue.Create(((string)reference!).Replace("#/components/schemas/", "#/definitions/", StringComparison.Ordinal))
                        : schema![constraint];
                    Assert.True(JsonNode.DeepEquals(expected, mirrored[property]![constraint]), $"{name}.{property}: {constraint} differs");
                }
            }
        }
    }

    private static string Key(JsonObject parameter) => $"{parameter["in"]}:{parameter["name"]}";

    private static JsonObject OpenApiOperation(ApiRoute route) => OpenApi["paths"]![route.Path]![route.Method.ToLowerInvariant()]!.AsObject();

    private static JsonObject ConnectorOperation(ApiRoute route) =>
        Connector["paths"]![route.Path[((string)Connector["basePath"]!).Length..]]![route.Method.ToLowerInvariant()]!.AsObject();

    private static JsonObject Resolve(JsonObject document, JsonObject node)
    {
        if (node["$ref"] is not { } reference)
        {
            return node;
        }

        JsonNode? target = document;
        foreach (var segment in ((string)reference!)[2..].Split('/'))
        {
            target = target![segment];
        }

        return target!.AsObject();
    }

    private static JsonObject? FirstContentSchema(JsonObject holder) =>
        holder["content"]?.AsObject().FirstOrDefault().Value?["schema"]?.AsObject();

    /// <summary>The definition a schema names (also through an array's items), or its type for an inline schema.</summary>
    private static string? SchemaName(JsonObject? schema)
    {
        if (schema is null)
        {
            return null;
        }

        if (schema["$ref"] is { } reference)
        {
            return ((string)reference!).Split('/')[^1];
        }

        return schema["items"] is JsonObject items ? "array of " + SchemaName(items) : (string?)schema["type"] + "/" + (string?)schema["format"];
    }
}
