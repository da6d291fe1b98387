using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using RoleMining.Emulator;
using RoleMining.Exports.Tests.Support;
using RoleMining.SailPoint;
using RoleMining.SailPoint.Models;
using Xunit.Abstractions;

namespace RoleMining.Exports.Tests.Workflow;

/// <summary>Fifty exports through an emulator that misbehaves in every way it can.</summary>
public sealed class FaultInjectionTests(ITestOutputHelper output)
{
    private const int Exports = 50;

    [Fact]
    public async Task Fifty_exports_under_faults_each_end_succeeded_and_complete_or_failed_for_the_right_reason_none_lost_or_duplicated()
    {
        await using var harness = await WorkflowHarness.StartAsync(new HarnessSettings
        {
            Emulator = options =>
            {
                options.Tenant.AdditionalPotentialRoleIdentityCounts = [.. Enumerable.Range(3, Exports)];
                options.Faults.Seed = 20261122;
                options.Faults.Default = new EmulatorRouteFaultOptions
                {
                    Latency = TimeSpan.FromMilliseconds(2),
                    ServerErrorShare = 0.1,
                    TooManyRequestsShare = 0.05,
                    TooManyRequestsRetryAfter = TimeSpan.FromSeconds(1),
                    ConnectionResetShare = 0.03,
                    TruncatedDownloadShare = 0.2,
                    CorruptedDownloadShare = 0.1,
                };
                options.Faults.Routes[OperationIds.ExportRoleMiningPotentialRoleAsync] = new EmulatorRouteFaultOptions
                {
                    Latency = TimeSpan.FromMilliseconds(2),
                    ServerErrorShare = 0.04,
                    TooManyRequestsShare = 0.15,
                    TooManyRequestsRetryAfter = TimeSpan.FromSeconds(1),
                    ConnectionResetShare = 0.02,
                    ExportErrorShare = 0.1,
                };
            },
            Workflow = options => options.MaxAttempts = 8,
        });
        var roles = harness.Emulator.Tenant.PotentialRoles.Where(role => role.IsAdditional).ToList();
        Assert.Equal(Exports, roles.Count);
        var watch = Stopwatch.StartNew();

        var created = new List<ExportJob>();
        foreach (var role in roles)
        {
            created.Add((await harness.Host.Jobs.CreateAsync(new ExportJobRequest { SessionId = role.Session.Id, PotentialRoleId = role.Id })).Job);
        }

        await harness.Host.RunUntilIdleAsync(TimeSpan.FromSeconds(120));
        var elapsed = watch.Elapsed;
        harness.Emulator.ClearFaults();

        // None lost, none duplicated: exactly the fifty jobs, all final, and no other job appeared.
        var jobs = await harness.Host.Jobs.QueryAsync(ExportJobQuery.All).ToListAsync();
        Assert.Equal(created.Select(job => job.JobId).Order(), jobs.Select(job => job.JobId).Order());
        Assert.All(jobs, job => Assert.True(job.IsTerminal, $"Job {job.JobId} is {job.State}."));

        await using var direct = harness.DirectClientProvider();
        var client = direct.GetRequiredService<IRoleMiningClient>();
        var outcomes = new Dictionary<string, int>();
        foreach (var job in jobs)
        {
            var creations = harness.Emulator.Statistics.ExportCreationsFor(job.SessionId, job.PotentialRoleId);
            string outcome;
            if (job.State == ExportJobState.Succeeded)
            {
                var stored = await harness.AssertSucceededAndCompleteAsync(job);
                Assert.Equal(await harness.DirectDownloadAsync(job.SessionId, job.PotentialRoleId, job.ExportId!), stored);
                Assert.Equal(1, creations);
                outcome = "Succeeded";
            }
            else
            {
                harness.AssertNothingStored(job);
                var failure = job.Failure!;
                switch (failure.Kind)
                {
                    case ExportFailureKind.ExportError:
                        // SailPoint really ended this export in ERROR.
                        var status = await client.GetExportStatusAsync(job.SessionId, job.PotentialRoleId, job.ExportId!);
                        Assert.Equal(PotentialRoleExportState.Error, status.Status);
                        Assert.Equal(1, creations);
                        break;
                    case ExportFailureKind.StartUncertain:
                        // The create call met a 5xx or a reset (both injected before the export was made) and was not repeated.
                        Assert.Null(job.ExportId);
                        Assert.Equal(0, creations);
                        break;
                    case ExportFailureKind.RepeatedFailure:
                        // Eight bad downloads in a row (truncated or corrupt each time): possible, rare, and reported as such.
                        Assert.Equal(ExportStep.Download, failure.Step);
                        Assert.Contains(nameof(InvalidExportArchiveException), job.LastError, StringComparison.Ordinal);
                        Assert.Equal(1, creations);
                        break;
                    default:
                        Assert.Fail($"Job {job.JobId} failed for an unexpected reason: {failure.Kind}: {failure.Reason}");
                        break;
                }

                outcome = failure.Kind.ToString();
            }

            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }

        // Nothing half-written anywhere: no staging file outlived its job.
        Assert.DoesNotContain(harness.Root.Files(), file => file.Contains("/.staging/", StringComparison.Ordinal));

        // The faults did happen, and most exports still made it.
        var statistics = harness.Emulator.Statistics;
        Assert.True(statistics.ResponsesWith(500) + statistics.ResponsesWith(502) + statistics.ResponsesWith(503) > 0);
        Assert.True(statistics.RateLimitedResponses > 0);
        Assert.True(statistics.ConnectionResets > 0);
        Assert.True(outcomes.GetValueOrDefault("Succeeded") >= Exports / 2, string.Join(", ", outcomes));
        Assert.True(harness.Emulator.Statistics.RequestsFor(OperationIds.DownloadRoleMiningPotentialRoleZip) > outcomes.GetValueOrDefault("Succeeded"),
            "No download was repeated, so no truncated or corrupt download was met.");

        output.WriteLine($"{Exports} exports in {elapsed.TotalSeconds:0.0} s: {string.Join(", ", outcomes.OrderBy(pair => pair.Key).Select(pair => $"{pair.Key} {pair.Value}"))}; "
            + $"{statistics.TotalRequests} requests, {statistics.FaultsInjected} faults injected, {statistics.ConnectionResets} resets, {statistics.RateLimitedResponses} 429s, "
            + $"{statistics.RequestsFor(OperationIds.DownloadRoleMiningPotentialRoleZip)} downloads.");
    }
}
