using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using RoleMining.Api.Routing;

namespace RoleMining.Api.Tests.Routing;

/// <summary>
/// <c>openapi.json</c>, the custom connector and the minimal-API mapping each list exactly the operations of
/// <see cref="ApiRoutes"/>: same methods, same paths, same operationIds, same path parameters; no more, no less. The
/// mapping also answers HEAD where a route says so (<see cref="ApiRoute.AnswersHead"/>), which the documents leave to HTTP.
/// </summary>
public sealed partial class ApiDocumentTests
{
    private static readonly string[] Methods = ["get", "put", "post", "delete", "patch", "head", "options"];

    private static readonly JsonObject OpenApi = Load("openapi.json");
    private static readonly JsonObject Connector = Load(Path.Combine("Connector", "apiDefinition.swagger.json"));
    private static readonly JsonObject ConnectorProperties = Load(Path.Combine("Connector", "apiProperties.json"));

    private static HashSet<string> RouteTable => [.. ApiRoutes.All.Select(route => $"{route.Method} {route.Path}")];

    [Fact]
    public void Route_table_has_unique_operations_under_api()
    {
        Assert.Equal(ApiRoutes.All.Count, RouteTable.Count);
        Assert.Equal(ApiRoutes.All.Count, ApiRoutes.All.Select(route => route.OperationId).Distinct(StringComparer.Ordinal).Count());
        Assert.All(ApiRoutes.All, route => Assert.StartsWith("/api/", route.Path, StringComparison.Ordinal));
        Assert.All(ApiRoutes.All, route => Assert.Same(route, ApiRoutes.Find(route.OperationId)));
    }

    [Fact]
    public void OpenApi_document_lists_exactly_the_routes()
    {
        Assert.StartsWith("3.", (string?)OpenApi["openapi"], StringComparison.Ordinal);
        var operations = Operations(OpenApi, basePath: string.Empty);
        Assert.Equal(RouteTable.Order(), operations.Keys.Order());
        foreach (var route in ApiRoutes.All)
        {
            Assert.Equal(route.OperationId, (string?)operations[$"{route.Method} {route.Path}"]["operationId"]);
        }
    }

    [Fact]
    public void Connector_lists_exactly_the_routes()
    {
        Assert.Equal("2.0", (string?)Connector["swagger"]);
        var operations = Operations(Connector, basePath: (string)Connector["basePath"]!);
        Assert.Equal(RouteTable.Order(), operations.Keys.Order());
        foreach (var route in ApiRoutes.All)
        {
            Assert.Equal(route.OperationId, (string?)operations[$"{route.Method} {route.Path}"]["operationId"]);
        }
    }

    [Fact]
    public void Minimal_api_mapping_maps_exactly_the_routes()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddRouting();
        using var app = builder.Build();
        app.MapRoleMiningApi();
        var all = ((IEndpointRouteBuilder)app).DataSources.SelectMany(source => source.Endpoints).OfType<RouteEndpoint>().ToList();
        // Besides the routes, one endpoint of any method takes what they do not (UnroutedRequests).
        var unrouted = Assert.Single(all, endpoint => endpoint.Metadata.GetMetadata<HttpMethodMetadata>() is null);
        Assert.Equal("/" + ApiRoutes.Prefix + "/" + UnroutedRequests.Template, "/" + unrouted.RoutePattern.RawText!.TrimStart('/'));
        Assert.Equal(UnroutedRequests.FunctionName, unrouted.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName);
        var endpoints = all.Where(endpoint => endpoint != unrouted).ToList();
        var mapped = endpoints
            .SelectMany(endpoint => endpoint.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods.Select(method => $"{method} {"/" + endpoint.RoutePattern.RawText!.TrimStart('/')}"))
            .ToHashSet();
        Assert.Equal(ApiRoutes.All.SelectMany(route => route.Methods.Select(method => $"{method} {route.Path}")).Order(), mapped.Order());
        Assert.Contains("HEAD /api/exports/{jobId}/artifacts/{name}", mapped);
        Assert.Equal(
            ApiRoutes.All.Select(route => route.OperationId).Order(),
            endpoints.Select(endpoint => endpoint.Metadata.GetMetadata<IEndpointNameMetadata>()!.EndpointName).Order());
    }

    [Fact]
    public void Path_parameters_match_the_route_templates_in_both_documents()
    {
        var openApi = Operations(OpenApi, string.Empty);
        var connector = Operations(Connector, (string)Connector["basePath"]!);
        foreach (var route in ApiRoutes.All)
        {
            var key = $"{route.Method} {route.Path}";
            Assert.Equal(route.Parameters.Order(), PathParameters(OpenApi, openApi[key]).Order());
            Assert.Equal(route.Parameters.Order(), PathParameters(Connector, connector[key]).Order());
        }
    }

    [Fact]
    public void Every_reference_resolves()
    {
        foreach (var document in new[] { OpenApi, Connector })
        {
            var references = Descendants(document).OfType<JsonObject>().Where(node => node.ContainsKey("$ref")).Select(node => (string)node["$ref"]!).ToList();
            Assert.NotEmpty(references);
            Assert.All(references, reference => Assert.NotNull(Resolve(document, reference)));
        }
    }

    [Fact]
    public void Asynchronous_operations_declare_202_with_Location_and_Retry_After()
    {
        string[] asynchronous = [ApiRoutes.StartPotentialRoleExport, ApiRoutes.StartSessionExport, ApiRoutes.GetExport, ApiRoutes.GetSessionExport];
        foreach (var (document, basePath) in new[] { (OpenApi, string.Empty), (Connector, (string)Connector["basePath"]!) })
        {
            var operations = Operations(document, basePath);
            foreach (var operationId in asynchronous)
            {
                var route = ApiRoutes.Find(operationId);
                var accepted = operations[$"{route.Method} {route.Path}"]["responses"]!["202"]!.AsObject();
                var headers = accepted["headers"]!.AsObject();
                Assert.True(headers.ContainsKey("Location"), $"{operationId}: 202 without Location");
                Assert.True(headers.ContainsKey("Retry-After"), $"{operationId}: 202 without Retry-After");
            }
        }
    }

    [Fact]
    public void Connector_describes_every_parameter_and_property_for_the_designer()
    {
        var operations = Operations(Connector, (string)Connector["basePath"]!);
        foreach (var (key, operation) in operations)
        {
            foreach (var parameter in operation["parameters"]!.AsArray().Select(node => node!.AsObject()))
            {
                Assert.True(parameter.ContainsKey("x-ms-summary"), $"{key}: parameter {parameter["name"]} lacks x-ms-summary");
                if ((string?)parameter["in"] != "body")
                {
                    Assert.Contains((string?)parameter["x-ms-visibility"], new[] { "important", "advanced", "internal", "none" });
                }
            }
        }

        foreach (var (name, definition) in Connector["definitions"]!.AsObject())
        {
            foreach (var (propertyName, property) in definition!["properties"]!.AsObject())
            {
                Assert.True(property!.AsObject().ContainsKey("x-ms-summary") || property.AsObject().ContainsKey("$ref"), $"{name}.{propertyName} lacks x-ms-summary");
            }
        }
    }

    [Fact]
    public void Connector_authenticates_with_Entra_ID_so_that_polls_carry_the_connection_token()
    {
        var scheme = Connector["securityDefinitions"]!["oauth2-auth"]!.AsObject();
        Assert.Equal("oauth2", (string?)scheme["type"]);
        Assert.Equal("accessCode", (string?)scheme["flow"]);
        Assert.Equal("oauth2-auth", Connector["security"]!.AsArray().Single()!.AsObject().Single().Key);
        var token = ConnectorProperties["properties"]!["connectionParameters"]!["token"]!;
        Assert.Equal("oauthSetting", (string?)token["type"]);
        Assert.Equal("aad", (string?)token["oAuthSettings"]!["identityProvider"]);
        // Certification requires a redirect URI of the connector's own; and the app accepts tokens of its own tenant only,
        // which a single-tenant app registration cannot get through "common": the tenant is the operator's to fill in.
        Assert.Equal("GlobalPerConnector", (string?)token["oAuthSettings"]!["redirectMode"]);
        var tenant = (string?)token["oAuthSettings"]!["customParameters"]!["tenantId"]!["value"];
        Assert.Equal("REPLACE_WITH_TENANT_ID", tenant);
        var readme = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Connector", "readme.md"));
        Assert.All(
            PlaceholderPattern().Matches(ConnectorProperties.ToJsonString()).Select(match => match.Value).Distinct(StringComparer.Ordinal),
            placeholder => Assert.Contains(placeholder, readme, StringComparison.Ordinal));
        Assert.Equal("/api", (string?)Connector["basePath"]);
    }

    [Fact]
    public void Connector_fits_certification_rules()
    {
        var title = (string)Connector["info"]!["title"]!;
        Assert.InRange(title.Length, 1, 30);
        Assert.DoesNotContain("API", title, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Connector", title, StringComparison.OrdinalIgnoreCase);
        Assert.InRange(((string)Connector["info"]!["description"]!).Length, 30, 500);
        var metadata = Connector["x-ms-connector-metadata"]!.AsArray().Select(item => (string)item!["propertyName"]!).ToList();
        Assert.Contains("Website", metadata);
        Assert.Contains("Privacy policy", metadata);
        Assert.Contains("Categories", metadata);
        var colour = (string)ConnectorProperties["properties"]!["iconBrandColor"]!;
        Assert.Matches("^#[0-9a-fA-F]{6}$", colour);
        Assert.NotEqual("#007ee5", colour, StringComparer.OrdinalIgnoreCase);
        Assert.NotEqual("#ffffff", colour, StringComparer.OrdinalIgnoreCase);
        foreach (var (key, operation) in Operations(Connector, (string)Connector["basePath"]!))
        {
            Assert.Matches("^[A-Z][A-Za-z0-9]*$", (string)operation["operationId"]!);
            var summary = (string)operation["summary"]!;
            Assert.True(summary.Length <= 80 && !summary.EndsWith('.'), $"{key}: summary '{summary}'");
            foreach (var body in operation["parameters"]!.AsArray().Where(parameter => (string?)parameter!["in"] == "body"))
            {
                Assert.False(string.IsNullOrWhiteSpace((string?)body!["description"]), $"{key}: body parameter without description");
            }
        }

        Assert.True(File.Exists(Path.Combine(AppContext.BaseDirectory, "Connector", "readme.md")), "the connector has no readme.md");
    }

    [Fact]
    public void Session_and_potential_role_parameters_offer_pickers()
    {
        foreach (var (key, operation) in Operations(Connector, (string)Connector["basePath"]!))
        {
            foreach (var parameter in operation["parameters"]!.AsArray().Select(node => node!.AsObject()))
            {
                var name = (string)parameter["name"]!;
                if (name is not ("sessionId" or "potentialRoleId"))
                {
                    continue;
                }

                var picker = parameter["x-ms-dynamic-values"]!.AsObject();
                Assert.Equal(name == "sessionId" ? ApiRoutes.ListSessions : ApiRoutes.ListPotentialRoles, (string?)picker["operationId"]);
                Assert.Equal("id", (string?)picker["value-path"]);
                Assert.Equal("name", (string?)picker["value-title"]);
            }
        }
    }

    private static Dictionary<string, JsonObject> Operations(JsonObject document, string basePath)
    {
        var operations = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            foreach (var (method, operation) in item!.AsObject())
            {
                Assert.Contains(method, Methods);
                operations.Add($"{method.ToUpperInvariant()} {basePath}{path}", operation!.AsObject());
            }
        }

        return operations;
    }

    private static IEnumerable<string> PathParameters(JsonObject document, JsonObject operation) =>
        operation["parameters"]!.AsArray()
            .Select(node => node!.AsObject())
            .Select(parameter => parameter.ContainsKey("$ref") ? Resolve(document, (string)parameter["$ref"]!)!.AsObject() : parameter)
            .Where(parameter => (string?)parameter["in"] == "path")
            .Select(parameter =>
            {
                Assert.True((bool?)parameter["required"], $"path parameter {parameter["name"]} must be required");
                return (string)parameter["name"]!;
            });

    private static JsonNode? Resolve(JsonObject document, string reference)
    {
        Assert.StartsWith("#/", reference, StringComparison.Ordinal);
        JsonNode? node = document;
        foreach (var segment in reference[2..].Split('/'))
        {
            node = node?.AsObject()[segment.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)];
        }

        return node;
    }

    private static IEnumerable<JsonNode> Descendants(JsonNode node)
    {
        yield return node;
        IEnumerable<JsonNode?> children = node switch
        {
            JsonObject value => value.Select(pair => pair.Value),
            JsonArray array => array,
            _ => [],
        };
        foreach (var child in children.OfType<JsonNode>())
        {
            foreach (var descendant in Descendants(child))
            {
                yield return descendant;
            }
        }
    }

    private static JsonObject Load(string relativePath) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, relativePath)))!.AsObject();

    [GeneratedRegex("REPLACE_WITH_[A-Z_]+")]
    private static partial Regex PlaceholderPattern();
}
