using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Json.Schema;
using RoleMining.Api.Authentication;
using RoleMining.Api.Callbacks;
using RoleMining.Api.Exports;
using RoleMining.Api.Routing;
using RoleMining.Api.Serialization;
using RoleMining.Api.Tests.Infrastructure;
using RoleMining.Testing.Http;

namespace RoleMining.Api.Tests.Samples;

/// <summary>
/// The samples call routes the API has, with bodies it accepts, and mark what a user must replace: the two SailPoint
/// Workflows are valid against the api-specs workflow schema and use only step types, actions, attributes and operator
/// fields SailPoint defines; the Logic App's HTTP action is replayed against the API the way Logic Apps runs it (async
/// pattern included); the Power Automate flow calls a connector operation with its parameters.
/// </summary>
public sealed partial class SampleTests(SharedApiHost fixture) : IClassFixture<SharedApiHost>
{
    private const string StartWorkflowFile = "start-export.json";
    private const string ReceiveWorkflowFile = "receive-export-result.json";
    private static readonly JsonObject StartWorkflow = Load("sailpoint-workflow", StartWorkflowFile);
    private static readonly JsonObject ReceiveWorkflow = Load("sailpoint-workflow", ReceiveWorkflowFile);
    private static readonly JsonObject LogicApp = Load("logic-app", "export-and-wait.json");
    private static readonly JsonObject PowerAutomate = Load("power-automate", "export-potential-role.json");

    // Loaded once: the schema registry refuses a second schema with the same $id.
    private static readonly Lazy<JsonSchema> WorkflowSchema = new(() =>
        JsonSchema.FromText(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Samples", "SailPoint", "workflow.schema.json"))));

    private ApiTestHost Host => fixture.Host;

    public static TheoryData<string> Workflows() => [StartWorkflowFile, ReceiveWorkflowFile];

    [Theory]
    [MemberData(nameof(Workflows))]
    public void SailPoint_workflow_is_valid_against_the_api_specs_workflow_schema(string file)
    {
        var schema = WorkflowSchema.Value;

        using var sample = JsonDocument.Parse(File.ReadAllText(SamplePath("sailpoint-workflow", file)));
        var result = schema.Evaluate(sample.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });

        Assert.True(result.IsValid, string.Join("; ", (result.Details ?? []).Where(detail => detail.Errors is { Count: > 0 }).SelectMany(detail => detail.Errors!.Select(error => $"{detail.InstanceLocation}: {error.Value}"))));
        Assert.Equal("EXTERNAL", (string?)Load("sailpoint-workflow", file)["trigger"]!["type"]);
    }

    [Theory]
    [MemberData(nameof(Workflows))]
    public void SailPoint_workflow_uses_only_step_types_actions_attributes_and_operator_fields_the_platform_defines(string file)
    {
        var catalogue = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Samples", "SailPoint", "workflow-steps.json")))!;
        var steps = Load("sailpoint-workflow", file)["definition"]!["steps"]!.AsObject();
        foreach (var (name, step) in steps)
        {
            var type = (string)step!["type"]!;
            var fields = Names(catalogue["stepTypes"]![type] ?? throw new Xunit.Sdk.XunitException($"{name}: step type '{type}' is not one the platform defines."));
            Assert.All(step.AsObject().Select(pair => pair.Key), key => Assert.True(fields.Contains(key), $"{name}: '{key}' is not a field of a {type} step."));
            if (type == "action")
            {
                var action = catalogue["actions"]![(string)step["actionId"]!] ?? throw new Xunit.Sdk.XunitException($"{name}: action '{step["actionId"]}' is not in the catalogue.");
                Assert.Contains((int)step["versionNumber"]!, action["versionNumbers"]!.AsArray().Select(version => (int)version!));
                var attributes = Names(action["attributes"]!);
                Assert.All(step["attributes"]!.AsObject().Select(pair => pair.Key), key => Assert.True(attributes.Contains(key.EndsWith(".$", StringComparison.Ordinal) ? key[..^2] : key), $"{name}: '{key}' is not an attribute of {step["actionId"]}."));
            }

            foreach (var choice in step["choiceList"]?.AsArray() ?? [])
            {
                var choiceFields = Names(catalogue["choiceFields"]!);
                Assert.All(choice!.AsObject().Select(pair => pair.Key), key => Assert.True(choiceFields.Contains(key), $"{name}: '{key}' is not an operator field (the second operand is variableB)."));
                Assert.Contains((string)choice["comparator"]!, Names(catalogue["comparators"]!));
            }
        }

        SailPoint_workflow_steps_are_all_reachable_and_defined(steps, (string)Load("sailpoint-workflow", file)["definition"]!["start"]!);
    }

    [Fact]
    public void SailPoint_start_workflow_posts_the_export_with_a_key_an_idempotency_key_and_the_callback_and_lets_a_refusal_fail_the_step()
    {
        var steps = StartWorkflow["definition"]!["steps"]!.AsObject();
        var http = steps.Single(step => (string?)step.Value!["actionId"] == "sp:http");
        var attributes = http.Value!["attributes"]!.AsObject();
        Assert.Equal(ApiRoutes.StartPotentialRoleExport, RouteOf(((string)attributes["method"]!).ToUpperInvariant(), (string)attributes["url"]!).OperationId);
        Assert.Equal("REPLACE_WITH_API_KEY", (string?)attributes["requestHeaders"]![ApiAuthenticationOptions.ApiKeyHeader]);
        Assert.Equal("{{$.trigger.requestId}}", (string?)attributes["requestHeaders"]!["Idempotency-Key"]);
        Assert.Equal("SailPointWorkflow", (string?)attributes["jsonRequestBody"]!["callback"]);
        Assert.DoesNotContain("code=", (string)attributes["url"]!, StringComparison.Ordinal);

        // sp:http fails the step on a 4xx or 5xx answer, so no branch can look at such a status: the step leads straight to
        // success, and a refusal ends the run as failed with the problem document in its error.
        Assert.Equal("success", (string?)steps[(string)http.Value["nextStep"]!]!["type"]);
        Assert.DoesNotContain(steps, step => step.Value!["choiceList"] is not null);
    }

    [Fact]
    public void SailPoint_receiving_workflow_reads_only_fields_the_callback_sends()
    {
        var payload = JsonSerializer.SerializeToNode(
            new ExportCallbackEnvelope
            {
                Input = new ExportCallbackPayload
                {
                    JobId = "j",
                    State = "failed",
                    SessionId = "s",
                    PotentialRoleId = "p",
                    StatusUrl = "https://example.test/api/exports/j",
                    Artifacts = [],
                    Failure = new ExportFailureResource { Kind = "ExportError", Reason = "r", Step = "Poll" },
                },
            },
            ApiJsonContext.Default.ExportCallbackEnvelope)!["input"]!;
        var text = ReceiveWorkflow["definition"]!.ToJsonString();
        var paths = TriggerPath().Matches(text).Select(match => match.Groups["path"].Value).Distinct().ToList();

        Assert.Contains("state", paths);
        Assert.All(paths, path =>
        {
            JsonNode? node = payload;
            foreach (var segment in path.Split('.'))
            {
                node = node?[segment];
            }

            Assert.True(node is not null, $"$.trigger.{path} is not in the callback's input.");
        });
    }

    [Fact]
    public async Task SailPoint_start_workflow_body_is_accepted_by_an_api_with_the_callback_configured()
    {
        await using var host = await ApiTestHost.StartAsync(api: options =>
        {
            options.PublicBaseUrl = new Uri("https://rolemining.example.test/");
            options.Callbacks["SailPointWorkflow"] = new CallbackTargetOptions { Url = "http://127.0.0.1:9/never-called" };
        });
        var attributes = StartWorkflow["definition"]!["steps"]!.AsObject().Single(step => (string?)step.Value!["actionId"] == "sp:http").Value!["attributes"]!;
        var session = host.SessionWithRoles();
        var url = ((string)attributes["url"]!)
            .Replace("https://REPLACE_WITH_FUNCTION_APP_HOST/", string.Empty, StringComparison.Ordinal)
            .Replace("{{$.trigger.sessionId}}", session.Id, StringComparison.Ordinal)
            .Replace("{{$.trigger.potentialRoleId}}", session.PotentialRoles[0].Id, StringComparison.Ordinal);
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new StringContent(attributes["jsonRequestBody"]!.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Idempotency-Key", "request-" + Guid.NewGuid().ToString("N"));

        using var response = await host.Client.SendAsync(request);

        var job = await HttpAssert.JsonAsync(response, HttpStatusCode.Accepted);
        Assert.Equal("SailPointWorkflow", (string?)job["callback"]!["name"]);
    }

    [Fact]
    public void Power_automate_flow_calls_a_connector_operation_with_its_parameters()
    {
        var connector = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Connector", "apiDefinition.swagger.json")))!;
        var operations = connector["paths"]!.AsObject().SelectMany(path => path.Value!.AsObject().Select(pair => pair.Value!)).ToDictionary(operation => (string)operation["operationId"]!);
        var actions = PowerAutomate["properties"]!["definition"]!["actions"]!.AsObject();
        var call = actions.Single(action => (string?)action.Value!["type"] == "OpenApiConnection").Value!["inputs"]!;

        var operation = operations[(string)call["host"]!["operationId"]!];
        var parameters = operation["parameters"]!.AsArray().Select(parameter => (string)parameter!["name"]!).ToHashSet();
        var bodyProperties = connector["definitions"]!["ExportRequest"]!["properties"]!.AsObject().Select(pair => pair.Key).ToHashSet();
        Assert.All(call["parameters"]!.AsObject().Select(pair => pair.Key), name => Assert.True(
            name.StartsWith("body/", StringComparison.Ordinal) ? bodyProperties.Contains(name[5..]) : parameters.Contains(name),
            $"'{name}' is not a parameter of {operation["operationId"]}"));
        Assert.All(operation["parameters"]!.AsArray().Where(parameter => (bool?)parameter!["required"] == true), parameter => Assert.True(call["parameters"]![(string)parameter!["name"]!] is not null, $"required '{parameter["name"]}' is not given"));
        Assert.Equal("@parameters('$authentication')", (string?)call["authentication"]);
        Assert.Contains(actions, action => action.Value!["runAfter"]!.AsObject().Any(pair => pair.Value!.AsArray().Any(status => (string?)status == "Failed")));
    }

    private static void SailPoint_workflow_steps_are_all_reachable_and_defined(JsonObject steps, string start)
    {
        var targets = new List<string> { start };
        foreach (var (_, step) in steps)
        {
            targets.AddRange(new[] { step!["nextStep"], step["defaultStep"] }.Where(node => node is not null).Select(node => (string)node!));
            targets.AddRange(step["choiceList"]?.AsArray().Select(choice => (string)choice!["nextStep"]!) ?? []);
        }

        Assert.All(targets, target => Assert.True(steps.ContainsKey(target), $"'{target}' is not a step."));
        Assert.Equal(steps.Select(step => step.Key).Order(), targets.Distinct().Order());
        Assert.Contains(steps, step => (string?)step.Value!["type"] == "success");
    }

    private static HashSet<string> Names(JsonNode array) => [.. array.AsArray().Select(item => (string)item!)];

    [Fact]
    public void Logic_app_posts_to_the_export_route_with_its_managed_identity_and_the_run_as_idempotency_key()
    {
        var definition = LogicApp["definition"]!.AsObject();
        var actions = definition["actions"]!.AsObject();
        var http = actions.Single(action => (string?)action.Value!["type"] == "Http");
        var inputs = http.Value!["inputs"]!.AsObject();
        Assert.Equal(ApiRoutes.StartPotentialRoleExport, RouteOf((string)inputs["method"]!, (string)inputs["uri"]!).OperationId);
        Assert.Equal("ManagedServiceIdentity", (string?)inputs["authentication"]!["type"]);
        Assert.Equal("@{parameters('apiApplicationIdUri')}", (string?)inputs["authentication"]!["audience"]);
        Assert.Null(inputs["headers"]![ApiAuthenticationOptions.ApiKeyHeader]);
        Assert.Equal("@{workflow()['run']['name']}", (string?)inputs["headers"]!["Idempotency-Key"]);

        // The asynchronous pattern is on (it is unless an operation option turns it off).
        Assert.DoesNotContain("DisableAsyncPattern", http.Value["operationOptions"]?.ToString() ?? string.Empty, StringComparison.Ordinal);

        // Success and failure are both handled, and every runAfter names an existing action.
        var runAfter = actions.SelectMany(action => action.Value!["runAfter"]!.AsObject().Select(pair => (pair.Key, Statuses: pair.Value!.AsArray().Select(status => (string)status!).ToList()))).ToList();
        Assert.All(runAfter, entry => Assert.True(actions.ContainsKey(entry.Key), $"runAfter names '{entry.Key}'"));
        Assert.Contains(runAfter, entry => entry.Key == http.Key && entry.Statuses.Contains("Succeeded"));
        Assert.Contains(runAfter, entry => entry.Key == http.Key && entry.Statuses.Contains("Failed"));
        Assert.All(definition["parameters"]!.AsObject(), parameter => Assert.StartsWith("REPLACE_WITH_", (string?)parameter.Value!["defaultValue"], StringComparison.Ordinal));
    }

    [Fact]
    public async Task Logic_app_request_is_followed_to_the_exported_files()
    {
        var session = Host.SessionWithRoles();
        var inputs = LogicApp["definition"]!["actions"]!.AsObject().Single(action => (string?)action.Value!["type"] == "Http").Value!["inputs"]!;
        var values = new Dictionary<string, string>
        {
            ["functionAppHost"] = Host.BaseAddress.Authority,
            ["apiApplicationIdUri"] = "api://not-checked-here",
            ["sessionId"] = session.Id,
            ["potentialRoleId"] = session.PotentialRoles[^1].Id,
        };
        var uri = Expression().Replace((string)inputs["uri"]!, match => values[match.Groups["name"].Value]).Replace("https://", "http://", StringComparison.Ordinal);
        using var request = new HttpRequestMessage(new HttpMethod((string)inputs["method"]!), uri)
        {
            Content = new StringContent(inputs["body"]!.ToJsonString(), Encoding.UTF8, (string)inputs["headers"]!["Content-Type"]!),
        };
        request.Headers.Add("Idempotency-Key", "08585334566381234567890123456CU00");
        using var response = await new AsyncPatternClient(Host.Client).SendAndFollowAsync(request, TimeSpan.FromSeconds(60));
        var job = await HttpAssert.JsonAsync(response, HttpStatusCode.OK);
        Assert.NotEmpty(job["artifacts"]!.AsArray());
    }

    private static ApiRoute RouteOf(string method, string url)
    {
        var path = new Uri(PlaceholderPattern().Replace(url, "x").Replace("@{", string.Empty, StringComparison.Ordinal)).AbsolutePath;
        var matches = ApiRoutes.All.Where(route => route.Method == method && TemplatePattern(route).IsMatch(path)).ToList();
        return Assert.Single(matches);
    }

    private static Regex TemplatePattern(ApiRoute route) =>
        new("^" + Regex.Replace(Regex.Escape(route.Path), @"\\\{[^/]+?}", "[^/]+") + "$", RegexOptions.CultureInvariant);

    private static string SamplePath(string folder, string file) => Path.Combine(AppContext.BaseDirectory, "samples", folder, file);

    private static JsonObject Load(string folder, string file) => JsonNode.Parse(File.ReadAllText(SamplePath(folder, file)))!.AsObject();

    [GeneratedRegex(@"\$\.trigger\.(?<path>[A-Za-z0-9_.]+)", RegexOptions.CultureInvariant)]
    private static partial Regex TriggerPath();

    [GeneratedRegex(@"\{\{[^}]+\}\}|@\{parameters\('[^']+'\)\}", RegexOptions.CultureInvariant)]
    private static partial Regex PlaceholderPattern();

    [GeneratedRegex(@"@\{parameters\('(?<name>[^']+)'\)\}", RegexOptions.CultureInvariant)]
    private static partial Regex Expression();
}
