using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RoleMining.Emulator;
using RoleMining.Exports;
using RoleMining.Testing.Azurite;
using RoleMining.Testing.Processes;

namespace RoleMining.RateBudget.Bench;

/// <summary>
/// N simulated Function App instances (<see cref="SimulatedInstance"/>, one process each) export the same potential
/// roles from one emulator (ISC's default limit, one client id) through one Azurite (a fresh one per run): once sharing the app's budget over
/// Blob Storage, once with a budget per process. The coordinator (this process) hosts the emulator, creates the jobs as
/// the app's HTTP API or sweep would (their start messages go to the queue), and reads the outcome from the jobs.
/// </summary>
internal static partial class InstancesBenchmark
{
    private const string ClientSecret = "bench-instances-secret";
    private static readonly TimeSpan RunLimit = TimeSpan.FromMinutes(15);

    public static async Task<List<Row>> RunAsync(EmulatorRateLimitMode mode, IReadOnlyList<int> instanceCounts, IReadOnlyList<bool> budgets, int roles)
    {
        var rows = new List<Row>();
        foreach (var shared in budgets)
        {
            foreach (var count in instanceCounts)
            {
                rows.Add(await RunOnceAsync(mode, count, shared, roles));
                Console.Error.WriteLine($"  {rows[^1].Format()}");
            }
        }

        return rows;
    }

    private static async Task<Row> RunOnceAsync(EmulatorRateLimitMode mode, int instanceCount, bool shared, int roleCount)
    {
        // An Azurite of its own per run: one that holds the blobs and queues of earlier runs (in memory) answers more and
        // more slowly, which showed as the later runs' wall time.
        await using var azurite = await AzuriteServer.StartAsync();
        // A client id of its own per run: a budget document and emulator windows nobody used before.
        var clientId = $"bench-{(shared ? "shared" : "process")}-{instanceCount}-{Guid.NewGuid():N}"[..40];
        var emulatorOptions = new EmulatorOptions { ClientId = clientId, ClientSecret = ClientSecret };
        emulatorOptions.RateLimit.Mode = mode;
        emulatorOptions.Tenant.AdditionalPotentialRoleIdentityCounts = Enumerable.Repeat(3, roleCount).ToList();
        emulatorOptions.Exports.QueuedFor = TimeSpan.FromMilliseconds(200);
        emulatorOptions.Exports.InProgressFor = TimeSpan.FromMilliseconds(300);
        await using var emulator = await EmulatorServer.StartAsync(emulatorOptions);
        var roles = emulator.Tenant.PotentialRoles.Where(role => role.IsAdditional).ToList();
        var settings = SimulatedInstance.Settings(azurite.ConnectionString, emulator.BaseAddress, clientId, ClientSecret, shared);

        var instances = new List<BackgroundProcess>();
        try
        {
            var program = Path.Combine(AppContext.BaseDirectory, "RoleMining.RateBudget.Bench.dll");
            for (var index = 0; index < instanceCount; index++)
            {
                instances.Add(BackgroundProcess.Start(ProcessRun.ProcessStart("dotnet", ["exec", program, SimulatedInstance.Argument], AppContext.BaseDirectory, settings)));
            }

            foreach (var instance in instances)
            {
                await instance.WaitForLineAsync(Ready(), TimeSpan.FromMinutes(3));
            }

            // The coordinator's own view of the app: the same services, used only to create and read jobs.
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings.Select(pair => KeyValuePair.Create(pair.Key.Replace("__", ":", StringComparison.Ordinal), pair.Value))).Build();
            var services = SimulatedInstance.Services(configuration, out _);
            foreach (var hosted in services.GetServices<IHostedService>())
            {
                await hosted.StartAsync(CancellationToken.None);
            }

            var jobs = services.GetRequiredService<ExportJobService>();
            emulator.Statistics.Reset();
            var started = DateTimeOffset.UtcNow;
            var ids = new System.Collections.Concurrent.ConcurrentBag<string>();
            await Parallel.ForEachAsync(roles, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (role, cancellationToken) =>
                ids.Add((await jobs.CreateAsync(new ExportJobRequest { SessionId = role.Session.Id, PotentialRoleId = role.Id }, cancellationToken)).Job.JobId));

            var finished = await WaitForJobsAsync(jobs, ids.ToList(), emulator, roleCount, instances);
            var wall = (finished.Where(job => job.CompletedAt is not null).Select(job => job.CompletedAt!.Value).DefaultIfEmpty(DateTimeOffset.UtcNow).Max() - started).TotalSeconds;
            await Task.Delay(TimeSpan.FromSeconds(1));
            var counters = instances.Select(Counters).ToList();
            ReportFailures(instances);

            var statistics = emulator.Statistics;
            var requests = statistics.TotalRequests - statistics.RequestsFor(OperationIds.Token);
            var limit = emulator.Options.RateLimit;
            var bound = Bounds.NoRefusal(requests - statistics.RateLimitedResponses, limit.PermitLimit, limit.Window).TotalSeconds;
            return new Row(
                mode,
                instanceCount,
                shared,
                finished.Count(job => job.State == ExportJobState.Succeeded),
                roleCount,
                wall,
                requests,
                statistics.RateLimitedResponses,
                bound,
                statistics.PeakRequestsPerWindow,
                counters.Sum(counter => counter.Reads + counter.Writes),
                counters.Sum(counter => counter.Conflicts),
                counters.Sum(counter => counter.Writes - counter.Conflicts));
        }
        finally
        {
            foreach (var instance in instances)
            {
                await instance.DisposeAsync();
            }
        }
    }

    private static async Task<List<ExportJob>> WaitForJobsAsync(ExportJobService jobs, List<string> ids, EmulatorServer emulator, int roleCount, List<BackgroundProcess> instances)
    {
        var deadline = Stopwatch.StartNew();
        var done = new Dictionary<string, ExportJob>(StringComparer.Ordinal);
        while (deadline.Elapsed < RunLimit)
        {
            if (instances.FirstOrDefault(instance => instance.HasExited) is { } exited)
            {
                throw new InvalidOperationException($"An instance exited: {exited.Tail(20)}");
            }

            // Reading 400 job documents every second would load Azurite for nothing: wait for the downloads first.
            if (emulator.Statistics.RequestsForAnyVersion(OperationIds.DownloadRoleMiningPotentialRoleZip) >= roleCount || deadline.Elapsed > TimeSpan.FromMinutes(5))
            {
                foreach (var id in ids.Where(id => !done.ContainsKey(id)))
                {
                    if (await jobs.GetAsync(id) is { IsTerminal: true } job)
                    {
                        done[id] = job;
                    }
                }

                if (done.Count == ids.Count)
                {
                    return [.. done.Values];
                }
            }

            await Task.Delay(1000);
        }

        return [.. done.Values];
    }

    /// <summary>Says on standard error which steps failed in the instances (a failed step waits 30 s for its retry, which
    /// shows in the wall time), the most frequent first.</summary>
    private static void ReportFailures(List<BackgroundProcess> instances)
    {
        var failures = instances.SelectMany(instance => instance.Lines).Where(line => line.Contains(" failed (delivery ", StringComparison.Ordinal)).ToList();
        if (failures.Count == 0)
        {
            return;
        }

        Console.Error.WriteLine($"  {failures.Count} step deliveries failed; most frequent:");
        foreach (var group in failures.GroupBy(line => Identifier().Replace(line.Length > 200 ? line[..200] : line, "…")).OrderByDescending(group => group.Count()).Take(3))
        {
            Console.Error.WriteLine($"    {group.Count()} x {group.Key}");
        }
    }

    private static (int Reads, int Writes, int Conflicts) Counters(BackgroundProcess instance)
    {
        var last = instance.Lines.LastOrDefault(line => line.StartsWith("counters ", StringComparison.Ordinal));
        if (last is null || CountersLine().Match(last) is not { Success: true } match)
        {
            return (0, 0, 0);
        }

        static int Read(Match match, string name) => int.Parse(match.Groups[name].Value, CultureInfo.InvariantCulture);
        return (Read(match, "reads"), Read(match, "writes"), Read(match, "conflicts"));
    }

    [GeneratedRegex("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|delivery [0-9]+")]
    private static partial Regex Identifier();

    [GeneratedRegex("^ready$")]
    private static partial Regex Ready();

    [GeneratedRegex(@"reads=(?<reads>\d+) writes=(?<writes>\d+) conflicts=(?<conflicts>\d+)")]
    private static partial Regex CountersLine();

    internal sealed record Row(
        EmulatorRateLimitMode Mode,
        int Instances,
        bool Shared,
        int Succeeded,
        int Roles,
        double WallSeconds,
        long Requests,
        long Refused,
        double BoundSeconds,
        int PeakPerWindow,
        int StoreOperations,
        int StoreConflicts,
        int Claims)
    {
        public string Format() => string.Create(
            CultureInfo.InvariantCulture,
            $"| {Mode,-13} | {Instances,9} | {(Shared ? "shared (Blob, ETag)" : "one per process"),-19} | {Succeeded,4}/{Roles,-4} | {WallSeconds,7:0.0} | {Requests,8} | {Refused,5} | {BoundSeconds,7:0.0} | {WallSeconds / Math.Max(BoundSeconds, 0.001),10:0.00} | {PeakPerWindow,11} | {(Shared ? ((double)StoreOperations / Math.Max(Requests, 1)).ToString("0.00", CultureInfo.InvariantCulture) : "-"),17} | {(Shared ? $"{Claims} / {StoreConflicts}" : "-"),15} |");

        public static string Header =>
            "| window mode   | instances | budget              | jobs ok   | wall s  | requests | 429s  | bound s | wall/bound | peak in 10s | store ops/request | claims / 412s   |\n" +
            "|---------------|-----------|---------------------|-----------|---------|----------|-------|---------|------------|-------------|-------------------|-----------------|";
    }
}
