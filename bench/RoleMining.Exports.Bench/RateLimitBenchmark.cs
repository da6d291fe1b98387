using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RoleMining.Bench;
using RoleMining.Emulator;

namespace RoleMining.Exports.Bench;

/// <summary>
/// Many small potential-role exports through the whole workflow against an in-process emulator with ISC's rate limit
/// (100 requests per 10 s per client id) and the client's default limiter: how close the wall time comes to the bound
/// the rate limit sets, and whether any request was refused with 429.
/// </summary>
internal static class RateLimitBenchmark
{
    private const int IdentitiesPerRole = 3;
    private static readonly TimeSpan QueuedFor = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan InProgressFor = TimeSpan.FromMilliseconds(300);

    public static async Task RunAsync(int exportCount)
    {
        var emulatorOptions = new EmulatorOptions { ClientId = "bench-exports", ClientSecret = "bench-exports-secret" };
        emulatorOptions.Tenant.AdditionalPotentialRoleIdentityCounts = Enumerable.Repeat(IdentitiesPerRole, exportCount).ToList();
        emulatorOptions.Exports.QueuedFor = QueuedFor;
        emulatorOptions.Exports.InProgressFor = InProgressFor;
        await using var server = await EmulatorServer.StartAsync(emulatorOptions);
        var roles = server.Tenant.PotentialRoles.Where(role => role.IsAdditional).Select(role => (role.Session.Id, role.Id)).ToList();

        var directory = Directory.CreateTempSubdirectory("rolemining-exports-bench-");
        try
        {
            await using var provider = BenchWorkflow.Provider(server.BaseAddress, emulatorOptions.ClientId, emulatorOptions.ClientSecret, directory.FullName, options =>
            {
                options.Polling.InitialDelay = TimeSpan.FromSeconds(1);
                options.Polling.MaxDelay = TimeSpan.FromSeconds(10);
                options.Polling.TotalWait = TimeSpan.FromMinutes(10);
            });
            var workflow = provider.GetRequiredService<IOptions<ExportWorkflowOptions>>().Value;
            var client = provider.GetRequiredService<IOptions<RoleMining.SailPoint.RoleMiningClientOptions>>().Value;
            var limit = server.Options.RateLimit;
            var permitsPerSecond = limit.PermitLimit / limit.Window.TotalSeconds;

            Console.WriteLine($"== {exportCount} potential-role exports ({IdentitiesPerRole} identities each) through the workflow, in-process emulator with its default rate limit ==");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Emulator: rate limit {(limit.Enabled ? "on" : "off")}, {limit.PermitLimit} requests / {limit.Window.TotalSeconds:0} s per client id; export clock QUEUED {QueuedFor.TotalMilliseconds:0} ms, IN_PROGRESS {InProgressFor.TotalMilliseconds:0} ms."));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Client: default limiter {(client.RateLimit.Enabled ? "on" : "off")}, {client.RateLimit.PermitLimit} requests / {client.RateLimit.Window.TotalSeconds:0} s; retries {client.Retry.MaxRetryAttempts}."));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Workflow: polling initial delay {workflow.Polling.InitialDelay.TotalSeconds:0.0} s, max delay {workflow.Polling.MaxDelay.TotalSeconds:0} s, jitter {workflow.Polling.JitterRatio:0.0}, total wait {workflow.Polling.TotalWait.TotalMinutes:0} min; max concurrency {workflow.MaxConcurrency}; filesystem stores, in-process queue."));

            server.Statistics.Reset();
            var watch = Stopwatch.StartNew();
            var jobs = await BenchWorkflow.ExportAsync(provider, roles, CancellationToken.None);
            watch.Stop();

            var statistics = server.Statistics;
            var tokenRequests = statistics.RequestsFor(OperationIds.Token);
            var apiRequests = statistics.TotalRequests - tokenRequests;
            // The client's default limiter is a sliding log of the server's own budget, so it may send a full window at
            // once: the best schedule without a 429 is the server's, not requests / rate (which this bench beat).
            var lowerBound = RateBounds.NoRefusal(apiRequests, limit.PermitLimit, limit.Window).TotalSeconds;
            var polls = jobs.Select(job => job.PollCount).ToList();
            var byOperation = string.Join(", ", statistics.RequestsByOperation.OrderBy(pair => pair.Key, StringComparer.Ordinal).Select(pair => $"{pair.Key} {pair.Value}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Jobs succeeded: {jobs.Count}/{exportCount}; export creations seen by the emulator: {statistics.ExportCreations}."));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Requests received: {statistics.TotalRequests} in all, {tokenRequests} token (not rate limited), {apiRequests} rate-limited API requests ({byOperation})."));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Status polls per export: mean {polls.Average():0.00}, min {polls.Min()}, max {polls.Max()}."));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Wall time: {watch.Elapsed.TotalSeconds:0.0} s (job creation to the runner idle)."));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Lower bound: {apiRequests} API requests at {limit.PermitLimit} per {limit.Window.TotalSeconds:0} s, the first {limit.PermitLimit} at once = {lowerBound:0.0} s without a 429 (the steady rate alone, {permitsPerSecond:0.#} per s, would give {apiRequests / permitsPerSecond:0.0} s)."));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Wall / lower bound: {watch.Elapsed.TotalSeconds / lowerBound:0.00} (target < 1.3)."));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"429 responses: {statistics.RateLimitedResponses} (target 0)."));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
