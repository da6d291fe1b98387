using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using RoleMining.Api.Routing;
using RoleMining.Api.Tests.Infrastructure;
using RoleMining.Testing.Http;

namespace RoleMining.Api.Tests.Samples;

/// <summary>
/// The samples call routes the API has, with bodies it accepts, and mark what a user must replace; the Logic App's HTTP
/// action is replayed against the API the way Logic Apps runs it (async pattern included).
/// </summary>
public sealed partial class SampleTests(SharedApiHost fixture) : IClassFixture<SharedApiHost>
{
    private static readonly JsonObject Workflow = Load("sailpoint-workflow", "export-potential-role.json");
    private static readonly JsonObject LogicApp = Load("logic-app", "export-and-wait.json");

    private ApiTestHost Host => fixture.Host;

    [Fact]
    public void SailPoint_workflow_steps_are_all_reachable_and_defined()
    {
        var definition = Workflow["definition"]!.AsObject();
        var steps = definition["steps"]!.AsObject();
        var targets = new List<string> { (string)definition["start"]! };
        foreach (var (_, step) in steps)
        {
            targets.AddRange(new[] { step!["nextStep"], step["defaultStep"] }.Where(node => node is not null).Select(node => (string)node!));
            targets.AddRange(step["choiceList"]?.AsArray().Select(choice => (string)choice!["nextStep"]!) ?? []);
        }

        Assert.All(targets, target => Assert.True(steps.ContainsKey(target), $"'{target}' is not a step."));
        Assert.Equal(steps.Select(step => step.Key).Order(), targets.Distinct().Append((string)definition["start"]!).Distinct().Order());
        Assert.Contains(steps, step => (string?)step.Value!["type"] == "success");
        Assert.Contains(steps, step => (string?)step.Value!["type"] == "failure");
    }

    [Fact]
    public void SailPoint_workflow_posts_to_the_export_route_with_the_function_key_and_branches_on_202()
    {
        var steps = Workflow["definition"]!["steps"]!.AsObject();
        var http = steps.Single(step => (string?)step.Value!["actionId"] == "sp:http");
        var attributes = http.Value!["attributes"]!.AsObject();
        var route = RouteOf(((string)attributes["method"]!).ToUpperInvariant(), (string)attributes["url"]!);
        Assert.Equal(ApiRoutes.StartPotentialRoleExport, route.OperationId);
        Assert.Equal("REPLACE_WITH_FUNCTION_KEY", (string?)attributes["requestHeaders"]!["x-functions-key"]);
        Assert.StartsWith("https://REPLACE_WITH_FUNCTION_APP_HOST/", (string?)attributes["url"], StringComparison.Ordinal);

        // The choice that follows reads this step's status code and sends 202 somewhere else than the default.
        var stepOutput = "$." + char.ToLowerInvariant(http.Key[0]) + http.Key[1..].Replace(" ", string.Empty, StringComparison.Ordinal) + ".statusCode";
        var choice = steps[(string)http.Value["nextStep"]!]!.AsObject();
        var accepted = choice["choiceList"]!.AsArray().Single(item => (int?)item!["valueB"] == 202)!;
        Assert.Equal(stepOutput, (string?)accepted["variableA.$"]);
        Assert.NotEqual((string?)accepted["nextStep"], (string?)choice["defaultStep"]);
    }

    [Fact]
    public async Task SailPoint_workflow_body_is_accepted_by_the_api()
    {
        var attributes = Workflow["definition"]!["steps"]!.AsObject().Single(step => (string?)step.Value!["actionId"] == "sp:http").Value!["attributes"]!;
        var session = Host.SessionWithRoles();
        var url = ((string)attributes["url"]!)
            .Replace("https://REPLACE_WITH_FUNCTION_APP_HOST/", string.Empty, StringComparison.Ordinal)
            .Replace("{{$.trigger.sessionId}}", session.Id, StringComparison.Ordinal)
            .Replace("{{$.trigger.potentialRoleId}}", session.PotentialRoles[0].Id, StringComparison.Ordinal);
        using var content = new StringContent(attributes["jsonRequestBody"]!.ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await Host.Client.PostAsync(url, content);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    [Fact]
    public void Logic_app_posts_to_the_export_route_with_the_function_key_and_the_run_as_idempotency_key()
    {
        var definition = LogicApp["definition"]!.AsObject();
        var actions = definition["actions"]!.AsObject();
        var http = actions.Single(action => (string?)action.Value!["type"] == "Http");
        var inputs = http.Value!["inputs"]!.AsObject();
        Assert.Equal(ApiRoutes.StartPotentialRoleExport, RouteOf((string)inputs["method"]!, (string)inputs["uri"]!).OperationId);
        Assert.Equal("@{parameters('functionKey')}", (string?)inputs["headers"]!["x-functions-key"]);
        Assert.Equal("@{workflow()['run']['name']}", (string?)inputs["headers"]!["Idempotency-Key"]);
        Assert.Equal("SecureString", (string?)definition["parameters"]!["functionKey"]!["type"]);

        // The asynchronous pattern is on (it is unless an operation option turns it off).
        Assert.DoesNotContain("DisableAsyncPattern", http.Value["operationOptions"]?.ToString() ?? string.Empty, StringComparison.Ordinal);

        // Success and failure are both handled, and every runAfter names an existing action.
        var runAfter = actions.SelectMany(action => action.Value!["runAfter"]!.AsObject().Select(pair => (pair.Key, Statuses: pair.Value!.AsArray().Select(status => (string)status!).ToList()))).ToList();
        Assert.All(runAfter, entry => Assert.True(actions.ContainsKey(entry.Key), $"runAfter names '{entry.Key}'"));
        Assert.Contains(runAfter, entry => entry.Key == http.Key && entry.Statuses.Contains("Succeeded"));
        Assert.Contains(runAfter, entry => entry.Key == http.Key && entry.Statuses.Contains("Failed"));
        Assert.All(definition["parameters"]!.AsObject().Where(parameter => parameter.Key != "functionKey"), parameter => Assert.StartsWith("REPLACE_WITH_", (string?)parameter.Value!["defaultValue"], StringComparison.Ordinal));
    }

    [Fact]
    public async Task Logic_app_request_is_followed_to_the_exported_files()
    {
        var session = Host.SessionWithRoles();
        var inputs = LogicApp["definition"]!["actions"]!.AsObject().Single(action => (string?)action.Value!["type"] == "Http").Value!["inputs"]!;
        var values = new Dictionary<string, string>
        {
            ["functionAppHost"] = Host.BaseAddress.Authority,
            ["functionKey"] = "not-checked-locally",
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

    private static JsonObject Load(string folder, string file) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "samples", folder, file)))!.AsObject();

    [GeneratedRegex(@"\{\{[^}]+\}\}|@\{parameters\('[^']+'\)\}", RegexOptions.CultureInvariant)]
    private static partial Regex PlaceholderPattern();

    [GeneratedRegex(@"@\{parameters\('(?<name>[^']+)'\)\}", RegexOptions.CultureInvariant)]
    private static partial Regex Expression();
}
