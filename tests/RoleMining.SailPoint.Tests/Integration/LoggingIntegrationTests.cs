using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using RoleMining.SailPoint.Diagnostics;
using RoleMining.SailPoint.Models;
using RoleMining.SailPoint.Tests.Infrastructure;

namespace RoleMining.SailPoint.Tests.Integration;

public sealed class LoggingIntegrationTests
{
    [Fact]
    public async Task A_full_run_logged_at_trace_contains_no_secret_and_no_token()
    {
        await using var server = await EmulatorClients.StartAsync(options =>
        {
            options.Tenant.AdditionalPotentialRoleIdentityCounts = [600];
            options.TokenLifetime = TimeSpan.FromSeconds(3);
        });
        server.Faults.Routes["getRoleMiningSessionStatus"] = new RoleMining.Emulator.EmulatorRouteFaultOptions { ServerErrorShare = 0.3 };
        using var logs = new CapturingLoggerProvider();
        var tokens = new TokenRecorder();
        var activities = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == SailPointTelemetry.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                lock (activities)
                {
                    activities.Add(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        using var provider = EmulatorClients.Provider(server, logs: logs, services: services =>
        {
            services.AddHttpClient(SailPointHttpClientNames.Api).AddHttpMessageHandler(() => tokens);
            services.AddHttpClient(SailPointHttpClientNames.Token).AddHttpMessageHandler(() => new TokenRecorderForwarder(tokens));
        });
        var client = provider.Client();
        var role = server.Tenant.PotentialRoles.Single(item => item.IsAdditional);

        await client.GetSessionsAsync().CountAsync();
        for (var i = 0; i < 6; i++)
        {
            await client.GetSessionStatusAsync(role.Session.Id);
        }

        await client.GetPotentialRoleSummaryAsync(role.Session.Id, role.Id);
        await client.GetPotentialRoleIdentitiesAsync(role.Session.Id, role.Id).CountAsync();
        server.RevokeAllTokens();
        await client.GetEntitlementPopularitiesAsync(role.Session.Id, role.Id).CountAsync();
        var export = await client.StartExportAsync(role.Session.Id, role.Id, new PotentialRoleExportRequest());
        while (export.Status is PotentialRoleExportState.Queued or PotentialRoleExportState.InProgress)
        {
            await Task.Delay(100);
            export = await client.GetExportStatusAsync(role.Session.Id, role.Id, export.ExportId!);
        }

        await using (var download = await client.DownloadExportAsync(role.Session.Id, role.Id, export.ExportId!))
        {
            await download.Content.CopyToAsync(Stream.Null);
        }

        await Assert.ThrowsAsync<SailPointException>(() => client.GetSessionAsync("no-such-session"));

        var text = logs.AllText();
        Assert.NotEmpty(logs.Entries);
        Assert.Contains(logs.Entries, entry => entry.Category.StartsWith("RoleMining.SailPoint", StringComparison.Ordinal));
        Assert.Contains(logs.Entries, entry => entry.Category.StartsWith("System.Net.Http.HttpClient", StringComparison.Ordinal));
        Assert.DoesNotContain(server.Options.ClientSecret, text, StringComparison.Ordinal);
        var issued = tokens.Tokens.Distinct().ToList();
        Assert.True(issued.Count >= 2, "the run renews tokens");
        Assert.All(issued, token => Assert.DoesNotContain(token, text, StringComparison.Ordinal));

        // Structured fields are there for the operation, status, attempt and elapsed time.
        Assert.Contains(logs.Entries, entry => entry.Values.Contains("OperationId=getIdentitiesPotentialRole", StringComparison.Ordinal)
            && entry.Values.Contains("StatusCode=200", StringComparison.Ordinal)
            && entry.Values.Contains("Attempt=", StringComparison.Ordinal)
            && entry.Values.Contains("ElapsedMs=", StringComparison.Ordinal));
        Assert.Contains(logs.Entries, entry => entry.Values.Contains("TrackingId=", StringComparison.Ordinal) && entry.Values.Contains("StatusCode=404", StringComparison.Ordinal));

        lock (activities)
        {
            Assert.Contains(activities, activity => activity.OperationName == "getIdentitiesPotentialRole");
            Assert.Contains(activities, activity => activity.OperationName == "getRoleMiningSession" && activity.Status == ActivityStatusCode.Error);
        }
    }

    /// <summary>The token client needs its own handler instance; it records into the same set.</summary>
    private sealed class TokenRecorderForwarder(TokenRecorder target) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                await response.Content.LoadIntoBufferAsync(cancellationToken);
                using var body = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
                target.Tokens.Add(body.RootElement.GetProperty("access_token").GetString()!);
            }

            return response;
        }
    }
}
