using System.Net;
using System.Text;
using RoleMining.Api.Tests.Infrastructure;

namespace RoleMining.Api.Tests.Validation;

/// <summary>
/// Every malformed request is a 4xx <c>application/problem+json</c> that names the bad field in <c>errors</c>, never a 500,
/// and never reaches SailPoint's export-async.
/// </summary>
public sealed class MalformedRequestTests(SharedApiHost fixture) : IClassFixture<SharedApiHost>
{
    private const string Session = "{session}";
    private const string Role = "{role}";
    private const string Job = "0123456789abcdef0123456789abcdef";

    public static TheoryData<string, string, string, string?, string?, string?, int, string> Cases => new()
    {
        // name, method, path, body, content type, extra header "Name: value", status, field
        { "session id not an id", "GET", "api/sessions/not-an-id", null, null, null, 400, "sessionId" },
        { "session id one hex too many", "GET", "api/sessions/0123456789abcdef0123456789abcdef0", null, null, null, 400, "sessionId" },
        { "session id with a non-hex letter", "GET", "api/sessions/0123456789abcdef0123456789abcdeg", null, null, null, 400, "sessionId" },
        { "unknown query parameter", "GET", $"api/sessions/{Session}?foo=1", null, null, null, 400, "foo" },
        { "query parameter without a name", "GET", $"api/sessions/{Session}?=x", null, null, null, 400, "query" },
        { "listing with an empty parameter name", "GET", $"api/sessions/{Session}/potential-roles?limit=5&=", null, null, null, 400, "query" },
        { "artifact with an empty parameter name", "GET", $"api/exports/{Job}/artifacts/export.zip?=1", null, null, null, 400, "query" },
        { "session export with an empty parameter name", "POST", $"api/sessions/{Session}/exports?=1", null, null, null, 400, "query" },
        { "limit above 250", "GET", $"api/sessions/{Session}/potential-roles?limit=251", null, null, null, 400, "limit" },
        { "negative limit", "GET", $"api/sessions/{Session}/potential-roles?limit=-1", null, null, null, 400, "limit" },
        { "limit not a number", "GET", $"api/sessions/{Session}/potential-roles?limit=ten", null, null, null, 400, "limit" },
        { "limit given twice", "GET", $"api/sessions/{Session}/potential-roles?limit=1&limit=2", null, null, null, 400, "limit" },
        { "negative offset", "GET", $"api/sessions/{Session}/potential-roles?offset=-5", null, null, null, 400, "offset" },
        { "offset with a fraction", "GET", $"api/sessions/{Session}/potential-roles?offset=1.5", null, null, null, 400, "offset" },
        { "count not a boolean", "GET", $"api/sessions/{Session}/potential-roles?count=maybe", null, null, null, 400, "count" },
        { "limit with a trailing NUL", "GET", $"api/sessions/{Session}/potential-roles?limit=1%00", null, null, null, 400, "limit" },
        { "offset with a trailing NUL", "GET", $"api/sessions/{Session}/potential-roles?offset=7%00", null, null, null, 400, "offset" },
        { "count with a trailing NUL", "GET", $"api/sessions/{Session}/potential-roles?count=true%00", null, null, null, 400, "count" },
        { "count with spaces", "GET", $"api/sessions/{Session}/potential-roles?count=%20true%20", null, null, null, 400, "count" },
        { "unknown sorter", "GET", $"api/sessions/{Session}/potential-roles?sorters=name", null, null, null, 400, "sorters" },
        { "sorter named twice", "GET", $"api/sessions/{Session}/potential-roles?sorters=createdDate,-createdDate", null, null, null, 400, "sorters" },
        { "empty sorters", "GET", $"api/sessions/{Session}/potential-roles?sorters=", null, null, null, 400, "sorters" },
        { "filter without a value", "GET", $"api/sessions/{Session}/potential-roles?filters=" + Escape("name eq"), null, null, null, 400, "filters" },
        { "filter with an unknown operator", "GET", $"api/sessions/{Session}/potential-roles?filters=" + Escape("name xx \"a\""), null, null, null, 400, "filters" },
        { "filter value of the wrong type", "GET", $"api/sessions/{Session}/potential-roles?filters=" + Escape("quality ge \"high\""), null, null, null, 400, "filters" },
        { "filter on an unknown field", "GET", $"api/sessions/{Session}/potential-roles?filters=" + Escape("owner eq \"a\""), null, null, null, 400, "filters" },
        { "filter with an unclosed parenthesis", "GET", $"api/sessions/{Session}/potential-roles?filters=" + Escape("(name eq \"a\""), null, null, null, 400, "filters" },
        { "filter with an unterminated string", "GET", $"api/sessions/{Session}/potential-roles?filters=" + Escape("name eq \"a"), null, null, null, 400, "filters" },
        { "filter with a bad date", "GET", $"api/sessions/{Session}/potential-roles?filters=" + Escape("startDate gt \"yesterday\""), null, null, null, 400, "filters" },
        { "filter nested too deep", "GET", $"api/sessions/{Session}/potential-roles?filters=" + Escape(new string('(', 40) + "name eq \"a\"" + new string(')', 40)), null, null, null, 400, "filters" },
        { "filter too long", "GET", $"api/sessions/{Session}/potential-roles?filters=" + Escape("name eq \"" + new string('a', 3000) + "\""), null, null, null, 400, "filters" },
        { "identity filter operator ISC does not support", "GET", $"api/sessions/{Session}/potential-roles/{Role}/identities?filters=" + Escape("name co \"a\""), null, null, null, 400, "filters" },
        { "identity sorter ISC does not support", "GET", $"api/sessions/{Session}/potential-roles/{Role}/identities?sorters=id", null, null, null, 400, "sorters" },
        { "all with offset", "GET", $"api/sessions/{Session}/potential-roles/{Role}/identities?all=true&offset=10", null, null, null, 400, "all" },
        { "all not a boolean", "GET", $"api/sessions/{Session}/potential-roles/{Role}/identities?all=yes", null, null, null, 400, "all" },
        { "potential role id not an id", "GET", $"api/sessions/{Session}/potential-roles/x/identities", null, null, null, 400, "potentialRoleId" },
        { "identities in XML", "GET", $"api/sessions/{Session}/potential-roles/{Role}/identities", null, null, "Accept: application/xml", 406, "application/json or text/csv" },
        { "session as CSV", "GET", $"api/sessions/{Session}", null, null, "Accept: text/csv", 406, "application/json" },
        { "potential roles as CSV", "GET", $"api/sessions/{Session}/potential-roles", null, null, "Accept: text/csv", 406, "application/json" },
        { "export body not JSON", "POST", $"api/sessions/{Session}/potential-roles/{Role}/exports", "{", "application/json", null, 400, "body" },
        { "export body an array", "POST", $"api/sessions/{Session}/potential-roles/{Role}/exports", "[]", "application/json", null, 400, "body" },
        { "export body null", "POST", $"api/sessions/{Session}/potential-roles/{Role}/exports", "null", "application/json", null, 400, "body" },
        { "popularity as a string", "POST", $"api/sessions/{Session}/potential-roles/{Role}/exports", "{\"minEntitlementPopularity\":\"10\"}", "application/json", null, 400, "minEntitlementPopularity" },
        { "negative popularity", "POST", $"api/sessions/{Session}/potential-roles/{Role}/exports", "{\"minEntitlementPopularity\":-1}", "application/json", null, 400, "minEntitlementPopularity" },
        { "popularity above 100", "POST", $"api/sessions/{Session}/potential-roles/{Role}/exports", "{\"minEntitlementPopularity\":101}", "application/json", null, 400, "minEntitlementPopularity" },
        { "popularity with a fraction", "POST", $"api/sessions/{Session}/potential-roles/{Role}/exports", "{\"minEntitlementPopularity\":1.5}", "application/json", null, 400, "minEntitlementPopularity" },
        { "common access as a string", "POST", $"api/sessions/{Session}/potential-roles/{Role}/exports", "{\"includeCommonAccess\":\"yes\"}", "application/json", null, 400, "includeCommonAccess" },
        { "unknown body property", "POST", $"api/sessions/{Session}/potential-roles/{Role}/exports", "{\"minPopularity\":1}", "application/json", null, 400, "minPopularity" },
        { "body property given twice", "POST", $"api/sessions/{Session}/potential-roles/{Role}/exports", "{\"includeCommonAccess\":true,\"includeCommonAccess\":false}", "application/json", null, 400, "includeCommonAccess" },
        { "body property name an unpaired surrogate", "POST", $"api/sessions/{Session}/potential-roles/{Role}/exports", "{\"\\ud800\":1}", "application/json", null, 400, "body" },
        { "callback an unpaired surrogate", "POST", $"api/sessions/{Session}/potential-roles/{Role}/exports", "{\"callback\":\"\\ud800\"}", "application/json", null, 400, "callback" },
        { "session export body with an unpaired surrogate", "POST", $"api/sessions/{Session}/exports", "{\"\\udc00x\":true}", "application/json", null, 400, "body" },
        { "body above 64 KB", "POST", $"api/sessions/{Session}/potential-roles/{Role}/exports", "{\"x\":\"" + new string('a', 70_000) + "\"}", "application/json", null, 400, "body" },
        { "idempotency key too long", "POST", $"api/sessions/{Session}/potential-roles/{Role}/exports", null, null, "Idempotency-Key: " + new string('k', 300), 400, "Idempotency-Key" },
        { "idempotency key empty", "POST", $"api/sessions/{Session}/potential-roles/{Role}/exports", null, null, "Idempotency-Key: \"\"", 400, "Idempotency-Key" },
        { "export of a bad role id", "POST", $"api/sessions/{Session}/potential-roles/..%2F..%2Fx/exports", null, null, null, 400, "potentialRoleId" },
        { "session export with a wrong type", "POST", $"api/sessions/{Session}/exports", "{\"includeCommonAccess\":1}", "application/json", null, 400, "includeCommonAccess" },
        { "session export with a query parameter", "POST", $"api/sessions/{Session}/exports?all=true", null, null, null, 400, "all" },
        { "batch id not hex", "GET", $"api/sessions/{Session}/exports/batch-1", null, null, null, 400, "batchId" },
        { "job id not hex", "GET", "api/exports/job-1", null, null, null, 400, "jobId" },
        { "job with a query parameter", "GET", $"api/exports/{Job}?verbose=true", null, null, null, 400, "verbose" },
        { "artifact name with traversal", "GET", $"api/exports/{Job}/artifacts/..%2F..%2F.jobs%2Fsecret.json", null, null, null, 400, "name" },
        { "artifact name hidden file", "GET", $"api/exports/{Job}/artifacts/.staging", null, null, null, 400, "name" },
        { "export body as text", "POST", $"api/sessions/{Session}/potential-roles/{Role}/exports", "{}", "text/plain", null, 415, "Content-Type" },
        { "export body as a form", "POST", $"api/sessions/{Session}/exports", "a=1", "application/x-www-form-urlencoded", null, 415, "Content-Type" },
    };

    private ApiTestHost Host => fixture.Host;

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Malformed_request_is_a_problem_naming_the_field(string name, string method, string path, string? body, string? contentType, string? header, int status, string field)
    {
        var session = Host.SessionWithRoles();
        using var request = new HttpRequestMessage(new HttpMethod(method), path.Replace(Session, session.Id, StringComparison.Ordinal).Replace(Role, session.PotentialRoles[0].Id, StringComparison.Ordinal));
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType!);
        }

        if (header is not null)
        {
            var separator = header.IndexOf(':', StringComparison.Ordinal);
            var headerName = header[..separator];
            var headerValue = header[(separator + 1)..].Trim();
            if (headerName == "Accept")
            {
                request.Headers.Accept.ParseAdd(headerValue);
            }
            else
            {
                Assert.True(request.Headers.TryAddWithoutValidation(headerName, headerValue), name);
            }
        }

        using var response = await Host.Client.SendAsync(request);
        var problem = await HttpAssert.ProblemAsync(response, (HttpStatusCode)status);
        Assert.StartsWith("/api/", (string?)problem["instance"], StringComparison.Ordinal);
        if (status == 400)
        {
            var errors = problem["errors"]!.AsObject();
            Assert.True(errors.ContainsKey(field), $"{name}: errors names {string.Join(", ", errors.Select(pair => pair.Key))}, not {field}");
            Assert.All(errors[field]!.AsArray(), message => Assert.False(string.IsNullOrWhiteSpace((string?)message)));
        }
        else
        {
            Assert.Contains(field, (string?)problem["detail"], StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task An_accept_the_route_cannot_produce_is_406_naming_what_it_produces_unless_other_fields_are_wrong_too()
    {
        var session = Host.SessionWithRoles();
        using var csv = new HttpRequestMessage(HttpMethod.Get, $"api/sessions/{session.Id}/potential-roles");
        csv.Headers.Accept.ParseAdd("text/csv");
        using var csvAndBadLimit = new HttpRequestMessage(HttpMethod.Get, $"api/sessions/{session.Id}/potential-roles?limit=999");
        csvAndBadLimit.Headers.Accept.ParseAdd("text/csv");

        using var notAcceptable = await Host.Client.SendAsync(csv);
        using var invalid = await Host.Client.SendAsync(csvAndBadLimit);

        var problem = await HttpAssert.ProblemAsync(notAcceptable, HttpStatusCode.NotAcceptable);
        Assert.Equal(["application/json"], problem["produces"]!.AsArray().Select(node => (string?)node));
        Assert.Contains("text/csv", (string?)problem["detail"], StringComparison.Ordinal);
        var errors = (await HttpAssert.ProblemAsync(invalid, HttpStatusCode.BadRequest))["errors"]!.AsObject();
        Assert.Equal(["Accept", "limit"], errors.Select(pair => pair.Key).Order());
    }

    [Fact]
    public void The_table_has_at_least_thirty_cases() => Assert.True(Cases.Count >= 30);

    [Fact]
    public async Task Several_bad_fields_are_all_named_at_once()
    {
        using var response = await Host.Client.GetAsync("api/sessions/x/potential-roles?limit=999&offset=-1&sorters=name");
        var problem = await HttpAssert.ProblemAsync(response, HttpStatusCode.BadRequest);
        var errors = problem["errors"]!.AsObject();
        Assert.Equal(["limit", "offset", "sessionId", "sorters"], errors.Select(pair => pair.Key).Order());
    }

    [Fact]
    public async Task Malformed_export_requests_never_reach_SailPoint()
    {
        var session = Host.SessionWithRoles();
        var role = session.PotentialRoles[0].Id;
        var before = Host.Emulator.Statistics.RequestsFor("exportRoleMiningPotentialRoleAsync") + Host.Emulator.Statistics.RequestsFor("getPotentialRole");
        string[] bodies = ["{", "[]", "{\"minEntitlementPopularity\":-1}", "{\"x\":1}"];
        foreach (var body in bodies)
        {
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            using var response = await Host.Client.PostAsync($"api/sessions/{session.Id}/potential-roles/{role}/exports", content);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }

        var after = Host.Emulator.Statistics.RequestsFor("exportRoleMiningPotentialRoleAsync") + Host.Emulator.Statistics.RequestsFor("getPotentialRole");
        Assert.Equal(before, after);
        Assert.False(Directory.Exists(Path.Combine(Host.Root, ".jobs")) && Directory.EnumerateFiles(Path.Combine(Host.Root, ".jobs"), "*", SearchOption.AllDirectories).Any());
    }

    private static string Escape(string value) => Uri.EscapeDataString(value);
}
