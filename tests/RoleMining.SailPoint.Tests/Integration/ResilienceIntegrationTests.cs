using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using RoleMining.Emulator;
using RoleMining.SailPoint.Models;
using RoleMining.SailPoint.Tests.Infrastructure;

namespace RoleMining.SailPoint.Tests.Integration;

public sealed class ResilienceIntegrationTests
{
    private const string StatusOperation = "getRoleMiningSessionStatus";
    private const string ExportOperation = "exportRoleMiningPotentialRoleAsync";

    [Fact]
    public async Task A_429_is_retried_after_exactly_the_retry_after_wait()
    {
        var clock = FakeClock.Create();
        await using var server = await EmulatorClients.StartAsync(clock: clock);
        server.Faults.Routes[StatusOperation] = new EmulatorRouteFaultOptions { TooManyRequestsShare = 1, TooManyRequestsRetryAfter = TimeSpan.FromSeconds(2) };
        var recorder = new ResponseRecorder { Clock = clock };

        // The first 429 switches the fault off, so the retry is the request that must wait.
        recorder.OnResponse = response =>
        {
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                server.Faults.Routes.Remove(StatusOperation);
            }
        };
        using var provider = EmulatorClients.Provider(
            server,
            services: services => services.AddHttpClient(SailPointHttpClientNames.Api).AddHttpMessageHandler(() => recorder),
            clock: clock);

        var call = provider.Client().GetSessionStatusAsync(server.Tenant.Sessions[0].Id);
        await clock.AdvanceUntilAsync(() => recorder.Responses.Count >= 2 || call.IsCompleted, () => recorder.Idle);
        await call;

        var responses = recorder.Responses.ToList();
        Assert.Equal([429, 200], responses.Select(response => response.Status));
        Assert.InRange(clock.GetElapsedTime(responses[0].Timestamp, responses[1].Timestamp), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(12));
        Assert.Equal(2, server.Statistics.RequestsFor(StatusOperation));
    }

    [Fact]
    public async Task Server_errors_are_retried_up_to_the_budget()
    {
        await using var server = await EmulatorClients.StartAsync();
        server.Faults.Routes[StatusOperation] = new EmulatorRouteFaultOptions { ServerErrorShare = 1 };
        using var provider = EmulatorClients.Provider(server, options =>
        {
            options.Retry.MaxRetryAttempts = 3;
            options.CircuitBreaker.Enabled = false;
        });

        var failure = await Assert.ThrowsAsync<SailPointException>(() => provider.Client().GetSessionStatusAsync(server.Tenant.Sessions[0].Id));

        Assert.True(failure.StatusCode >= 500);
        Assert.Equal(4, server.Statistics.RequestsFor(StatusOperation));
    }

    [Fact]
    public async Task Connection_resets_are_retried_and_the_call_succeeds_once_they_stop()
    {
        await using var server = await EmulatorClients.StartAsync();
        server.Faults.Routes[StatusOperation] = new EmulatorRouteFaultOptions { ConnectionResetShare = 1 };
        var recorder = new ResponseRecorder();
        using var provider = EmulatorClients.Provider(server, options => options.Retry.MaxRetryAttempts = 5);
        var client = provider.Client();

        // Resets for a while, then a healthy service: the pending call completes by itself.
        var call = client.GetSessionStatusAsync(server.Tenant.Sessions[0].Id);
        var deadline = Stopwatch.StartNew();
        while (server.Statistics.ConnectionResets < 2 && deadline.Elapsed < TimeSpan.FromSeconds(20))
        {
            await Task.Delay(5);
        }

        server.Faults.Routes.Remove(StatusOperation);
        var status = await call;

        Assert.NotEqual(RoleMiningSessionState.Unknown, status.State);
        Assert.True(server.Statistics.ConnectionResets >= 2);
        Assert.Equal(server.Statistics.ConnectionResets + 1, server.Statistics.RequestsFor(StatusOperation));
    }

    [Fact]
    public async Task The_circuit_opens_and_stops_calling_a_failing_tenant()
    {
        await using var server = await EmulatorClients.StartAsync();
        server.Faults.Routes[StatusOperation] = new EmulatorRouteFaultOptions { ServerErrorShare = 1 };
        using var provider = EmulatorClients.Provider(server, options =>
        {
            options.Retry.MaxRetryAttempts = 0;
            options.CircuitBreaker.MinimumThroughput = 5;
            options.CircuitBreaker.BreakDuration = TimeSpan.FromMinutes(1);
        });
        var client = provider.Client();
        var sessionId = server.Tenant.Sessions[0].Id;

        for (var i = 0; i < 5; i++)
        {
            await Assert.ThrowsAsync<SailPointException>(() => client.GetSessionStatusAsync(sessionId));
        }

        var requestsWhenOpen = server.Statistics.RequestsFor(StatusOperation);
        for (var i = 0; i < 20; i++)
        {
            var failure = await Assert.ThrowsAsync<SailPointException>(() => client.GetSessionStatusAsync(sessionId));
            Assert.Equal(SailPointErrorKind.CircuitOpen, failure.Kind);
        }

        Assert.Equal(5, requestsWhenOpen);
        Assert.Equal(requestsWhenOpen, server.Statistics.RequestsFor(StatusOperation));
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, false)]
    [InlineData(true, true)]
    [InlineData(false, true)]
    public async Task Export_creation_is_never_sent_twice_after_a_5xx_or_a_reset(bool failAfterHandling, bool reset)
    {
        await using var server = await EmulatorClients.StartAsync();
        server.Faults.Routes[ExportOperation] = reset
            ? new EmulatorRouteFaultOptions { ConnectionResetShare = 1, FailAfterHandling = failAfterHandling }
            : new EmulatorRouteFaultOptions { ServerErrorShare = 1, FailAfterHandling = failAfterHandling };
        using var provider = EmulatorClients.Provider(server, options => options.Retry.MaxRetryAttempts = 5);
        var role = server.Tenant.PotentialRoles.First();

        var failure = await Assert.ThrowsAsync<SailPointException>(() =>
            provider.Client().StartExportAsync(role.Session.Id, role.Id, new PotentialRoleExportRequest { IncludeCommonAccess = true }));

        Assert.Equal(reset ? SailPointErrorKind.Transport : SailPointErrorKind.Service, failure.Kind);
        Assert.Equal(1, server.Statistics.RequestsFor(ExportOperation));

        // After handling, the export exists although the answer was lost; before it, nothing was created. Never two.
        Assert.Equal(failAfterHandling ? 1 : 0, server.Statistics.ExportCreationsFor(role.Session.Id, role.Id));
    }

    [Fact]
    public async Task Export_creation_is_retried_after_a_429_and_created_once()
    {
        var clock = FakeClock.Create();
        await using var server = await EmulatorClients.StartAsync(clock: clock);
        server.Faults.Routes[ExportOperation] = new EmulatorRouteFaultOptions { TooManyRequestsShare = 1, TooManyRequestsRetryAfter = TimeSpan.FromSeconds(1) };
        var recorder = new ResponseRecorder
        {
            OnResponse = response =>
            {
                if (response.StatusCode == HttpStatusCode.TooManyRequests)
                {
                    server.Faults.Routes.Remove(ExportOperation);
                }
            },
        };
        using var provider = EmulatorClients.Provider(
            server,
            services: services => services.AddHttpClient(SailPointHttpClientNames.Api).AddHttpMessageHandler(() => recorder),
            clock: clock);
        var role = server.Tenant.PotentialRoles.First();

        var call = provider.Client().StartExportAsync(role.Session.Id, role.Id, new PotentialRoleExportRequest());
        await clock.AdvanceUntilAsync(() => call.IsCompleted, () => recorder.Idle);
        var export = await call;

        Assert.False(string.IsNullOrEmpty(export.ExportId));
        Assert.Equal(2, server.Statistics.RequestsFor(ExportOperation));
        Assert.Equal(1, server.Statistics.ExportCreationsFor(role.Session.Id, role.Id));
    }
}
