using System.Globalization;
using RoleMining.Emulator.ContractTests.Spec;
using RoleMining.Emulator.ContractTests.TestSupport;
using RoleMining.Emulator.ContractTests.Validation;

namespace RoleMining.Emulator.ContractTests.Live;

/// <summary>The emulator with a tight rate limit: a few requests per client in a window longer than the test run.</summary>
public sealed class RateLimitedEmulatorFixture : EmulatorFixtureBase
{
    public const int PermitLimit = 4;

    protected override EmulatorOptions CreateOptions() => new()
    {
        RateLimit = { Enabled = true, PermitLimit = PermitLimit, Window = TimeSpan.FromMinutes(10) },
    };

    // The ids are found (2 requests) before the tests spend the remaining permits.
    protected override async Task OnStartedAsync(CancellationToken cancellationToken) => await KnownIdsAsync(cancellationToken);
}

/// <summary>429 bodies of every emulated operation that documents 429, once the rate limit is spent.</summary>
public sealed class RateLimitContractTests(RateLimitedEmulatorFixture emulator) : IClassFixture<RateLimitedEmulatorFixture>
{
    private readonly SchemaValidator validator = new(emulator.Spec.Documents);

    public static TheoryData<NamedCase> OperationsDocumenting429() => EmulatedOperations.Cases(o => o.Documents(429));

    [Theory]
    [MemberData(nameof(OperationsDocumenting429))]
    public async Task Past_the_rate_limit_answers_the_documented_429_with_Retry_After(NamedCase operationCase)
    {
        var operation = EmulatedOperations.Find(emulator.Spec, operationCase.Name);
        var pathValues = await emulator.PathValuesAsync(operation, skip: null, CancellationToken.None);

        ApiResponse? response = null;
        for (var attempt = 0; attempt <= RateLimitedEmulatorFixture.PermitLimit && response?.StatusCode != 429; attempt++)
        {
            response = await emulator.SendAsync(operation, pathValues, RequestShape.Valid, CancellationToken.None);
            Assert.True(response.StatusCode is 200 or 429, $"{operation}: expected 200 until the limit, then 429.\n{response}");
        }

        Assert.True(response!.StatusCode == 429, $"{operation}: still not throttled after {RateLimitedEmulatorFixture.PermitLimit + 1} requests.");
        ContractAssert.MatchesSpec(operation, response, validator);
        Assert.True(response.Headers.TryGetValues("Retry-After", out var retryAfter), $"{operation}: 429 without Retry-After.\n{response}");
        Assert.True(int.TryParse(Assert.Single(retryAfter), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds > 0,
            $"{operation}: Retry-After is not a positive number of seconds.");
    }
}

/// <summary>The emulator with every API request failing with an injected 500, 502 or 503.</summary>
public sealed class FailingEmulatorFixture : EmulatorFixtureBase
{
    protected override EmulatorOptions CreateOptions() => new()
    {
        RateLimit = { Enabled = false },
        Faults = { Seed = 7, Default = { ServerErrorShare = 1 } },
    };
}

/// <summary>Injected 500s carry the documented ErrorResponseDto body (502 and 503 are gateway answers the spec does not cover).</summary>
public sealed class ServerErrorContractTests(FailingEmulatorFixture emulator) : IClassFixture<FailingEmulatorFixture>
{
    private readonly SchemaValidator validator = new(emulator.Spec.Documents);

    public static TheoryData<NamedCase> SessionLists() =>
        EmulatedOperations.Cases(o => o.BaseOperationId == "getRoleMiningSessions");

    [Theory]
    [MemberData(nameof(SessionLists))]
    public async Task An_injected_500_has_the_documented_body(NamedCase operationCase)
    {
        var operation = EmulatedOperations.Find(emulator.Spec, operationCase.Name);
        Assert.True(operation.Documents(500));

        ApiResponse? response = null;
        for (var attempt = 0; attempt < 40 && response?.StatusCode != 500; attempt++)
        {
            response = await emulator.SendAsync(operation, new Dictionary<string, string>(), RequestShape.Valid, CancellationToken.None);
            Assert.True(response.StatusCode is 500 or 502 or 503, $"{operation}: every request should fail.\n{response}");
        }

        Assert.True(response!.StatusCode == 500, $"{operation}: no 500 among 40 injected server errors.");
        ContractAssert.MatchesSpec(operation, response, validator);
    }
}
