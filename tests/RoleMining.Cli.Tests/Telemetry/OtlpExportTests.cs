using RoleMining.Cli.Hosting;
using RoleMining.Cli.Tests.Infrastructure;
using RoleMining.Testing.Http;

namespace RoleMining.Cli.Tests.Telemetry;

/// <summary>With an OTLP endpoint configured (the standard OTEL_* variables), a run sends its traces and metrics there.</summary>
public sealed class OtlpExportTests
{
    [Fact]
    public async Task An_export_with_an_otlp_endpoint_sends_its_spans_and_metrics_to_the_collector()
    {
        using var collector = new RecordingHttpServer(responseContentType: "application/x-protobuf");
        await using var environment = await ExportTestEnvironment.StartAsync();
        var session = environment.CompleteSession;
        var role = session.PotentialRoles[0];

        var result = await environment.CreateRunner()
            .With("OTEL_EXPORTER_OTLP_ENDPOINT", collector.Uri.ToString().TrimEnd('/'))
            .With("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")
            .RunAsync("export", "--session", session.Id, "--role", role.Id, "--out", "exports");

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        var requests = await collector.WaitForAsync(received =>
            received.Any(request => request.Path == "/v1/traces" && request.BodyContains("process export-download"))
            && received.Any(request => request.Path == "/v1/metrics" && request.BodyContains("rolemining.exports.succeeded")), TimeSpan.FromSeconds(30));
        var traces = requests.Where(request => request.Path == "/v1/traces").ToList();
        Assert.All(requests, request => Assert.Equal("application/x-protobuf", request.ContentType));
        foreach (var span in new[] { "export.create", "send export-start", "process export-start", "process export-poll", "exportRoleMiningPotentialRoleAsync", "downloadRoleMiningPotentialRoleZip" })
        {
            Assert.Contains(traces, request => request.BodyContains(span));
        }

        Assert.Contains(requests, request => request.Path == "/v1/metrics" && request.BodyContains("sailpoint.client.requests"));
    }
}
