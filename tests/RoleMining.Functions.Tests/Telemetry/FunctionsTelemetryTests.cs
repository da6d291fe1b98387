using System.Diagnostics;
using Azure.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Azure.Functions.Worker;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using RoleMining.Exports;
using RoleMining.Functions.Telemetry;
using RoleMining.SailPoint.Diagnostics;
using RoleMining.Testing.Http;

namespace RoleMining.Functions.Tests.Telemetry;

/// <summary>What Program.cs registers for telemetry: the exporter to Application Insights, its credential, and the log filters.</summary>
public sealed class FunctionsTelemetryTests
{
    private const string WorkerOpenTelemetryCapability = "WorkerOpenTelemetryEnabled";

    [Fact]
    public async Task With_a_connection_string_the_apps_spans_and_metrics_reach_the_application_insights_ingestion_endpoint()
    {
        // The ingestion API's answer: every item accepted.
        using var ingestion = new RecordingHttpServer("""{"itemsReceived":1,"itemsAccepted":1,"errors":[]}""");
        var configuration = Configuration(new()
        {
            [FunctionsTelemetry.ConnectionStringSetting] =
                $"InstrumentationKey=00000000-0000-0000-0000-000000000001;IngestionEndpoint={ingestion.Uri};LiveEndpoint={ingestion.Uri}",
        });
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddLogging().AddMetrics();
        services.AddRoleMiningTelemetry(configuration);
        await using var provider = services.BuildServiceProvider();
        foreach (var hosted in provider.GetServices<IHostedService>())
        {
            await hosted.StartAsync(CancellationToken.None);
        }

        using (var source = new ActivitySource(ExportsTelemetry.ActivitySourceName))
        using (source.StartActivity("process export-poll"))
        {
        }

        new ExportsMetrics(provider.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()).SweepCompleted(created: 3, covered: 0);
        provider.GetRequiredService<TracerProvider>().ForceFlush(10_000);
        provider.GetRequiredService<MeterProvider>().ForceFlush(10_000);

        // The worker tells the host that it sends its own logs, so that the host does not send them a second time: in
        // either of the host's telemetry modes (host.json telemetryMode OpenTelemetry, or Application Insights, the default).
        var capabilities = provider.GetRequiredService<IOptions<WorkerOptions>>().Value.Capabilities;
        Assert.Equal(bool.TrueString, capabilities[WorkerOpenTelemetryCapability]);
        Assert.Equal(bool.TrueString, capabilities["WorkerApplicationInsightsLoggingEnabled"]);
        var sent = await ingestion.WaitForAsync(requests => requests.Any(request => request.BodyContains("process export-poll"))
            && requests.Any(request => request.BodyContains(ExportsTelemetry.SweepRolesInstrument)), TimeSpan.FromSeconds(30));
        Assert.All(sent.Where(request => request.BodyContains("process export-poll") || request.BodyContains(ExportsTelemetry.SweepRolesInstrument)),
            request => Assert.True(request.BodyContains("00000000-0000-0000-0000-000000000001") && request.Path.EndsWith("/track", StringComparison.Ordinal), request.Path));
    }

    [Fact]
    public void Without_a_connection_string_nothing_is_exported_and_the_host_keeps_showing_the_workers_logs()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddRoleMiningTelemetry(Configuration([]));
        using var provider = services.BuildServiceProvider();

        // Nothing to deduplicate: the host shows and sends the worker's lines.
        var capabilities = provider.GetRequiredService<IOptions<WorkerOptions>>().Value.Capabilities;
        Assert.False(capabilities.ContainsKey(WorkerOpenTelemetryCapability));
        Assert.False(capabilities.ContainsKey("WorkerApplicationInsightsLoggingEnabled"));
        Assert.DoesNotContain(services, descriptor => descriptor.ServiceType.FullName?.Contains("AzureMonitor", StringComparison.Ordinal) == true
            || descriptor.ImplementationType?.FullName?.Contains("AzureMonitor", StringComparison.Ordinal) == true);
        Assert.Contains(ExportsTelemetry.ActivitySourceName, FunctionsTelemetry.ActivitySources);
        Assert.Contains(SailPointTelemetry.ActivitySourceName, FunctionsTelemetry.ActivitySources);
        Assert.Contains(ExportsTelemetry.MeterName, FunctionsTelemetry.Meters);
        Assert.Contains(SailPointTelemetry.MeterName, FunctionsTelemetry.Meters);
    }

    [Theory]
    [InlineData("ClientId=5a0c7a3e-0000-4000-8000-000000000001;Authorization=AAD")]
    [InlineData("Authorization=AAD")]
    [InlineData(" authorization = aad ; clientid = 5a0c7a3e-0000-4000-8000-000000000001 ")]
    public void The_authentication_setting_the_host_reads_gives_the_worker_a_managed_identity(string setting) =>
        Assert.IsType<ManagedIdentityCredential>(ApplicationInsightsAuthentication.CredentialFrom(setting));

    [Fact]
    public void No_authentication_setting_means_no_credential_and_a_malformed_one_is_refused_without_echoing_it()
    {
        Assert.Null(ApplicationInsightsAuthentication.CredentialFrom(null));
        Assert.Null(ApplicationInsightsAuthentication.CredentialFrom(" "));
        var wrongMode = Assert.Throws<InvalidOperationException>(() => ApplicationInsightsAuthentication.CredentialFrom("Authorization=Key"));
        Assert.Contains(ApplicationInsightsAuthentication.SettingName, wrongMode.Message, StringComparison.Ordinal);
        var unknownKey = Assert.Throws<InvalidOperationException>(() => ApplicationInsightsAuthentication.CredentialFrom("Secret=hunter2;Authorization=AAD"));
        Assert.DoesNotContain("hunter2", unknownKey.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Azure_sdk_http_client_and_asp_net_core_chatter_is_filtered_and_the_apps_own_lines_are_kept()
    {
        var recorded = Log(Configuration([]));

        Assert.Equal(
            [
                "Azure.Core:Error",
                "Azure.Storage.Blobs:Error", "Azure.Storage.Blobs:Warning",
                "Microsoft.AspNetCore.Hosting.Diagnostics:Error", "Microsoft.AspNetCore.Hosting.Diagnostics:Warning",
                "RoleMining.Exports.ExportWorkflow:Error", "RoleMining.Exports.ExportWorkflow:Information", "RoleMining.Exports.ExportWorkflow:Warning",
                "System.Net.Http.HttpClient.SailPoint.LogicalHandler:Error", "System.Net.Http.HttpClient.SailPoint.LogicalHandler:Warning",
            ],
            recorded);
    }

    [Fact]
    public void A_level_in_the_configuration_for_a_category_or_a_broader_one_wins_over_the_quiet_default()
    {
        var recorded = Log(Configuration(new() { ["Logging:LogLevel:Azure"] = "Information", ["Logging:LogLevel:System.Net.Http.HttpClient"] = "Information" }));

        Assert.Contains("Azure.Core:Information", recorded);
        Assert.Contains("Azure.Core:Warning", recorded);
        Assert.Contains("Azure.Storage.Blobs:Information", recorded);
        Assert.Contains("System.Net.Http.HttpClient.SailPoint.LogicalHandler:Information", recorded);
        Assert.DoesNotContain("Microsoft.AspNetCore.Hosting.Diagnostics:Information", recorded);
    }

    /// <summary>Logs one line per level in each category through the app's filters; returns "category:level" of each line that passed.</summary>
    private static List<string> Log(IConfiguration configuration)
    {
        var recorder = new FakeLogCollector();
        using var provider = new ServiceCollection()
            .AddLogging(logging => logging.SetMinimumLevel(LogLevel.Information).AddRoleMiningLogFilters(configuration).AddProvider(new FakeLoggerProvider(recorder)))
            .BuildServiceProvider();
        var factory = provider.GetRequiredService<ILoggerFactory>();
        foreach (var category in new[] { "Azure.Core", "Azure.Storage.Blobs", "System.Net.Http.HttpClient.SailPoint.LogicalHandler", "Microsoft.AspNetCore.Hosting.Diagnostics", "RoleMining.Exports.ExportWorkflow" })
        {
            var logger = factory.CreateLogger(category);
            foreach (var level in new[] { LogLevel.Information, LogLevel.Warning, LogLevel.Error })
            {
#pragma warning disable CA1848, CA2254 // A fixed test message per level.
                logger.Log(level, "line");
#pragma warning restore CA1848, CA2254
            }
        }

        return recorder.GetSnapshot().Select(record => $"{record.Category}:{record.Level}").Order(StringComparer.Ordinal).ToList();
    }

    private static IConfiguration Configuration(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build();
}
