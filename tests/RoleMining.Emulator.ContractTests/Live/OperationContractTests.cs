using System.Globalization;
using System.Text.Json.Nodes;
using RoleMining.Emulator.ContractTests.Spec;
using RoleMining.Emulator.ContractTests.TestSupport;
using RoleMining.Emulator.ContractTests.Validation;

namespace RoleMining.Emulator.ContractTests.Live;

/// <summary>
/// Every emulated operation of every version (v2024, v2025, v2026, beta, v1), called on a live emulator and held to the
/// spec: documented status codes, content types and bodies. Cases are named "version operationId" from the spec.
/// </summary>
public sealed class OperationContractTests(EmulatorFixture emulator) : IClassFixture<EmulatorFixture>
{
    /// <summary>What ISC answers when the header is absent (not in the spec, whose 400 is an ErrorResponseDto).</summary>
    private const string ExperimentalHeaderError = """{"error":"Experimental Header is missing or invalid."}""";

    private readonly SchemaValidator validator = new(emulator.Spec.Documents);

    public static TheoryData<NamedCase> Operations() => EmulatedOperations.Cases();

    public static TheoryData<NamedCase> ExperimentalOperations() => EmulatedOperations.Cases(o => o.RequiresExperimentalHeader);

    public static TheoryData<NamedCase> BetaOperations() => EmulatedOperations.Cases(o => o.Version == ApiVersion.Beta);

    public static TheoryData<NamedCase> OperationsWithLimit() => EmulatedOperations.Cases(o => o.FindParameter("limit", "query") is not null);

    public static TheoryData<NamedCase> OperationsWithCount() => EmulatedOperations.Cases(o => o.FindParameter("count", "query") is not null);

    public static TheoryData<NamedCase> OperationsNotEmulated() => NamedCase.From(
        ApiVersion.All.SelectMany(SpecCatalog.Instance.Operations)
            .Where(o => !EmulatedOperations.BaseOperationIds.Contains(o.BaseOperationId))
            .Select(EmulatedOperations.CaseName));

    /// <summary>One case per operation and path parameter: "v2024 getPotentialRole potentialRoleId".</summary>
    public static TheoryData<NamedCase> PathParameters() => NamedCase.From(
        EmulatedOperations.All(SpecCatalog.Instance).SelectMany(o => o.PathParameterNames.Select(p => $"{EmulatedOperations.CaseName(o)} {p}")));

    [Fact]
    public void Every_emulated_operation_is_in_every_version_of_the_spec()
    {
        foreach (var version in ApiVersion.All)
        {
            Assert.All(EmulatedOperations.BaseOperationIds, id => emulator.Spec.Operation(version, id));
        }

        Assert.Equal(60, EmulatedOperations.All(emulator.Spec).Count());
    }

    [Fact]
    public void Every_operation_the_emulator_declares_is_contract_tested()
    {
        var declared = typeof(OperationIds)
            .GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!)
            .Where(id => id != OperationIds.Token)
            .Order(StringComparer.Ordinal);

        Assert.Equal(EmulatedOperations.BaseOperationIds.Order(StringComparer.Ordinal), declared);
    }

    [Theory]
    [MemberData(nameof(Operations))]
    public async Task Answers_with_a_documented_success_response(NamedCase operationCase)
    {
        var operation = Operation(operationCase);
        var pathValues = await emulator.PathValuesAsync(operation, skip: null, CancellationToken.None);

        var response = await emulator.SendAsync(operation, pathValues, RequestShape.Valid, CancellationToken.None);

        Assert.True(response.StatusCode is >= 200 and < 300, $"{operation}: expected a success.\n{response}");
        ContractAssert.MatchesSpec(operation, response, validator);
        if (response.MediaType == "application/json")
        {
            var body = response.Json;
            // An empty list would validate trivially: the fixture picks a session and role that have content.
            Assert.False(body is JsonArray { Count: 0 }, $"{operation}: the list is empty, so nothing was validated.\n{response}");
            if (body is JsonObject obj && obj["id"] is JsonValue id && operation.PathParameterNames.LastOrDefault() is { } last)
            {
                Assert.Equal(pathValues[last], id.GetValue<string>(), ignoreCase: true);
            }
        }
    }

    [Theory]
    [MemberData(nameof(ExperimentalOperations))]
    public async Task Without_the_required_experimental_header_answers_400(NamedCase operationCase)
    {
        var operation = Operation(operationCase);

        var response = await emulator.SendAsync(operation, new RequestShape { WithoutExperimentalHeader = true }, CancellationToken.None);

        Assert.True(response.StatusCode == 400 && operation.Documents(400), $"{operation}: expected the documented 400.\n{response}");
        Assert.Equal("application/json", response.MediaType);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(ExperimentalHeaderError), response.Json), $"{operation}: unexpected body.\n{response}");
    }

    [Theory]
    [MemberData(nameof(BetaOperations))]
    public async Task Beta_answers_without_the_experimental_header(NamedCase operationCase)
    {
        var operation = Operation(operationCase);
        Assert.Null(operation.FindParameter(SpecCatalog.ExperimentalHeader, "header"));

        var response = await emulator.SendAsync(operation, new RequestShape { WithoutExperimentalHeader = true }, CancellationToken.None);

        Assert.True(response.StatusCode is >= 200 and < 300, $"{operation}: expected a success without the header.\n{response}");
        ContractAssert.MatchesSpec(operation, response, validator);
    }

    [Theory]
    [MemberData(nameof(OperationsWithLimit))]
    public async Task A_limit_above_250_answers_a_documented_400(NamedCase operationCase)
    {
        var operation = Operation(operationCase);
        var maximum = emulator.Spec.Documents.Dereference(operation.FindParameter("limit", "query")!.Schema).Child("maximum").Node!.GetValue<long>();
        var tooMany = (maximum + 1).ToString(CultureInfo.InvariantCulture);

        var response = await emulator.SendAsync(operation, new RequestShape { Query = new Dictionary<string, string> { ["limit"] = tooMany } }, CancellationToken.None);

        Assert.True(response.StatusCode == 400, $"{operation}: limit={tooMany} should be refused.\n{response}");
        var documented = ContractAssert.MatchesSpec(operation, response, validator);
        Assert.Equal("ErrorResponseDto", SchemaName(documented), ignoreCase: true);
    }

    [Theory]
    [MemberData(nameof(OperationsWithCount))]
    public async Task Count_true_reports_the_total_in_X_Total_Count(NamedCase operationCase)
    {
        var operation = Operation(operationCase);
        var query = new Dictionary<string, string> { ["count"] = "true", ["limit"] = "1", ["offset"] = "0" };

        var response = await emulator.SendAsync(operation, new RequestShape { Query = query }, CancellationToken.None);

        Assert.True(response.StatusCode == 200, $"{operation}: expected 200.\n{response}");
        ContractAssert.MatchesSpec(operation, response, validator);
        Assert.True(response.Headers.TryGetValues("X-Total-Count", out var values), $"{operation}: no X-Total-Count header with count=true.");
        var total = int.Parse(Assert.Single(values), NumberStyles.None, CultureInfo.InvariantCulture);
        var items = response.Json!.AsArray();
        Assert.Single(items);
        Assert.True(total >= items.Count, $"{operation}: X-Total-Count {total} < items returned.");
    }

    [Theory]
    [MemberData(nameof(PathParameters))]
    public async Task An_unknown_id_answers_a_client_error_with_an_error_body(NamedCase parameterCase)
    {
        var operation = Operation(parameterCase);
        var parameter = parameterCase.Name.Split(' ')[2];
        var unknown = new Dictionary<string, string> { [parameter] = Guid.NewGuid().ToString() };

        var response = await emulator.SendAsync(operation, new RequestShape { PathOverrides = unknown }, CancellationToken.None);

        if (operation.Documents(404))
        {
            Assert.True(response.StatusCode == 404, $"{operation}: unknown {parameter} should be the documented 404.\n{response}");
            Assert.Equal("ErrorResponseDto", SchemaName(ContractAssert.MatchesSpec(operation, response, validator)), ignoreCase: true);
            return;
        }

        // Most of these operations document no 404 although an unknown id cannot succeed; a 404 (or 400) is
        // accepted, and its body must still be the ErrorResponseDto that the operation's 400 documents.
        Assert.True(response.StatusCode is 400 or 404, $"{operation}: unknown {parameter} should be 400 or 404.\n{response}");
        Assert.Equal("application/json", response.MediaType);
        var errorSchema = operation.Response(400)!.Content["application/json"];
        ContractAssert.MatchesSchema(response, errorSchema, validator, $"{operation} {response.StatusCode}");
    }

    [Theory]
    [MemberData(nameof(Operations))]
    public async Task Without_a_token_answers_the_documented_401(NamedCase operationCase)
    {
        var operation = Operation(operationCase);

        var response = await emulator.SendAsync(operation, new RequestShape { WithoutToken = true }, CancellationToken.None);

        Assert.True(response.StatusCode == 401, $"{operation}: expected 401 without a token.\n{response}");
        ContractAssert.MatchesSpec(operation, response, validator);
    }

    [Theory]
    [MemberData(nameof(Operations))]
    public async Task With_an_unknown_token_answers_the_documented_401(NamedCase operationCase)
    {
        var operation = Operation(operationCase);

        var response = await emulator.SendAsync(operation, new RequestShape { BearerToken = "not-a-token-the-emulator-issued" }, CancellationToken.None);

        Assert.True(response.StatusCode == 401, $"{operation}: expected 401 for an unknown token.\n{response}");
        ContractAssert.MatchesSpec(operation, response, validator);
    }

    [Theory]
    [MemberData(nameof(OperationsNotEmulated))]
    public async Task Operations_it_does_not_emulate_do_not_pretend_to_succeed(NamedCase operationCase)
    {
        var operation = Operation(operationCase);
        var (sessionId, potentialRoleId) = await emulator.KnownIdsAsync(CancellationToken.None);
        var pathValues = operation.PathParameterNames.ToDictionary(
            name => name,
            name => name switch { "sessionId" => sessionId, "potentialRoleId" => potentialRoleId, _ => Guid.NewGuid().ToString() });

        var response = await emulator.SendAsync(operation, pathValues, RequestShape.Valid, CancellationToken.None);

        Assert.True(response.StatusCode >= 400, $"{operation} is not emulated, yet it answered {response.StatusCode}.\n{response}");
    }

    private SpecOperation Operation(NamedCase operationCase) => EmulatedOperations.Find(emulator.Spec, operationCase.Name);

    private string? SchemaName(SpecResponse response) =>
        emulator.Spec.Documents.Dereference(response.Content["application/json"]).SchemaFileName;
}
