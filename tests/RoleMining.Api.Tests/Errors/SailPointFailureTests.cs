using System.Net;
using RoleMining.Api.Tests.Infrastructure;
using RoleMining.Emulator;

namespace RoleMining.Api.Tests.Errors;

/// <summary>
/// SailPoint trouble (emulator faults) is a 502 with SailPoint's trackingId, or a 503 with Retry-After when SailPoint rate
/// limits or the circuit is open; never a 500. A failure after the headers were sent aborts the stream.
/// </summary>
public sealed class SailPointFailureTests
{
    [Fact]
    public async Task Server_errors_become_502_with_the_tracking_id()
    {
        await using var host = await ApiTestHost.StartAsync();
        var session = host.SessionWithRoles();
        host.Emulator.Faults.Routes["getRoleMiningSession"] = new EmulatorRouteFaultOptions { ServerErrorShare = 1 };

        using var response = await host.Client.GetAsync($"api/sessions/{session.Id}");
        var problem = await HttpAssert.ProblemAsync(response, HttpStatusCode.BadGateway);
        Assert.Matches("^[0-9a-f]{32}$", (string?)problem["trackingId"]);
        Assert.Contains((int?)problem["sailPointStatus"], new int?[] { 500, 502, 503 });
        Assert.Equal("getRoleMiningSession", (string?)problem["sailPointOperation"]);
        Assert.False(string.IsNullOrEmpty((string?)problem["traceId"]));

        // The client retried (2 retries) before giving up.
        Assert.Equal(3, host.Emulator.Statistics.RequestsFor("getRoleMiningSession"));
    }

    [Fact]
    public async Task Server_errors_on_identities_and_exports_become_502()
    {
        await using var host = await ApiTestHost.StartAsync();
        var session = host.SessionWithRoles();
        host.Emulator.Faults.Default = new EmulatorRouteFaultOptions { ServerErrorShare = 1 };

        using var identities = await host.Client.GetAsync($"api/sessions/{session.Id}/potential-roles/{session.PotentialRoles[0].Id}/identities?all=true");
        Assert.False(string.IsNullOrEmpty((string?)(await HttpAssert.ProblemAsync(identities, HttpStatusCode.BadGateway))["trackingId"]));
        using var export = await host.Client.PostAsync($"api/sessions/{session.Id}/potential-roles/{session.PotentialRoles[0].Id}/exports", null);
        await HttpAssert.ProblemAsync(export, HttpStatusCode.BadGateway);
        using var roles = await host.Client.PostAsync($"api/sessions/{session.Id}/exports", null);
        await HttpAssert.ProblemAsync(roles, HttpStatusCode.BadGateway);
    }

    [Fact]
    public async Task Rate_limiting_becomes_503_with_retry_after()
    {
        await using var host = await ApiTestHost.StartAsync(sailPoint: options => options.Retry.MaxRetryAttempts = 0);
        var session = host.SessionWithRoles();
        host.Emulator.Faults.Routes["getPotentialRoleSummaries"] = new EmulatorRouteFaultOptions { TooManyRequestsShare = 1, TooManyRequestsRetryAfter = TimeSpan.FromSeconds(7) };

        using var response = await host.Client.GetAsync($"api/sessions/{session.Id}/potential-roles");
        await HttpAssert.ProblemAsync(response, HttpStatusCode.ServiceUnavailable);
        Assert.Equal(TimeSpan.FromSeconds(7), response.Headers.RetryAfter?.Delta);
    }

    [Fact]
    public async Task Open_circuit_becomes_503_with_retry_after()
    {
        await using var host = await ApiTestHost.StartAsync(sailPoint: options =>
        {
            options.Retry.MaxRetryAttempts = 0;
            options.CircuitBreaker.Enabled = true;
            options.CircuitBreaker.MinimumThroughput = 2;
            options.CircuitBreaker.FailureRatio = 0.5;
            options.CircuitBreaker.SamplingDuration = TimeSpan.FromSeconds(30);
            options.CircuitBreaker.BreakDuration = TimeSpan.FromSeconds(30);
        });
        var session = host.SessionWithRoles();
        host.Emulator.Faults.Default = new EmulatorRouteFaultOptions { ServerErrorShare = 1 };

        HttpResponseMessage? response = null;
        for (var attempt = 0; attempt < 5 && response?.StatusCode != HttpStatusCode.ServiceUnavailable; attempt++)
        {
            response?.Dispose();
            response = await host.Client.GetAsync($"api/sessions/{session.Id}");
            Assert.Contains(response.StatusCode, new[] { HttpStatusCode.BadGateway, HttpStatusCode.ServiceUnavailable });
        }

        using (response)
        {
            var problem = await HttpAssert.ProblemAsync(response!, HttpStatusCode.ServiceUnavailable);
            Assert.Equal("CircuitOpen", (string?)problem["failureKind"]);
            Assert.Equal(TimeSpan.FromSeconds(30), response!.Headers.RetryAfter?.Delta);
        }
    }

    [Fact]
    public async Task Failure_after_the_headers_aborts_the_stream()
    {
        await using var host = await ApiTestHost.StartAsync(options => options.Tenant.AdditionalPotentialRoleIdentityCounts = [100_000]);
        var role = host.Emulator.Tenant.PotentialRoles.Single(candidate => candidate.IsAdditional);
        using var response = await host.Client.GetAsync($"api/sessions/{role.Session.Id}/potential-roles/{role.Id}/identities?all=true", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var body = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[4096];
        Assert.True(await body.ReadAsync(buffer) > 0);

        host.Emulator.Faults.Routes["getIdentitiesPotentialRole"] = new EmulatorRouteFaultOptions { ServerErrorShare = 1 };
        await Assert.ThrowsAnyAsync<IOException>(async () =>
        {
            while (await body.ReadAsync(buffer) > 0)
            {
            }
        });
        Assert.Contains(host.Logs.GetSnapshot(), entry => entry.Message.Contains("the response was aborted", StringComparison.Ordinal));
    }
}
