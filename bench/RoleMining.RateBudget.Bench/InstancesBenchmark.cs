using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RoleMining.Bench;
using RoleMining.Emulator;
using RoleMining.Exports;
using RoleMining.Functions.Configuration;
using RoleMining.Testing.Azurite;
using RoleMining.Testing.FunctionsHost;
using RoleMining.Testing.Publishing;
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
    private const int MaxWarmUpRounds = 3;
    private static readonly TimeSpan RunLimit = TimeSpan.FromMinutes(15);

    public static async Task<List<Row>> RunAsync(EmulatorRateLimitMode mode, IReadOnlyList<int> instanceCounts, IReadOnlyList<bool> budgets, int roles, IReadOnlyList<int> hostCounts, FunctionsHostLocation? host, string? publishedApp, bool coldInstances)
    {
        var rows = new List<Row>();
        if (host is not null && publishedApp is not null)
        {
            // The app under real Functions hosts shares the budget as deployed (it always registers the Blob store).
            foreach (var count in hostCounts)
            {
                rows.Add(await RunOnceAsync(mode, count, shared: true, roles, new RealHosts(host, publishedApp), warmUp: false));
                Console.Error.WriteLine($"  {rows[^1].Format()}");
            }
        }

        foreach (var shared in budgets)
        {
            foreach (var count in instanceCounts)
            {
                rows.Add(await RunOnceAsync(mode, count, shared, roles, hosts: null, warmUp: !coldInstances));
                Console.Error.WriteLine($"  {rows[^1].Format()}");
            }
        }

        return rows;
    }

    /// <summary>Publishes the Functions app in Release (what `azd deploy` uploads) for the rows with real hosts.</summary>
    public static async Task<string> PublishAppAsync()
    {
        var output = Directory.CreateTempSubdirectory("rolemining-bench-functions-").FullName;
        var build = await FunctionsAppPublisher.PublishAsync(output);
        return build.ExitCode == 0 ? output : throw new InvalidOperationException($"dotnet publish of the Functions app failed ({build.ExitCode}):\n{build.Output}");
    }

    /// <summary>
    /// One row. Simulated instances are warmed up first unless <paramref name="warmUp"/> is false: they take the
    /// coordinator's warm-up jobs (same emulator, client id and budget) until each has run every step, and the measured
    /// run starts once the budget is idle again (<see cref="WarmUpAsync"/>), with the emulator's counts and windows reset. Why: N processes started together on this
    /// machine's two cores compile the run's code paths all at once (on Flex Consumption each instance has cores of its
    /// own); at N = 16 that kept the CPU at 100% for the first 20 to 30 s of a cold run, whose first windows were half used.
    /// </summary>
    private static async Task<Row> RunOnceAsync(EmulatorRateLimitMode mode, int instanceCount, bool shared, int roleCount, RealHosts? hosts, bool warmUp)
    {
        // An Azurite of its own per run: one that holds the blobs and queues of earlier runs (in memory) answers more and
        // more slowly, which showed as the later runs' wall time.
        await using var azurite = await AzuriteServer.StartAsync();
        // A client id of its own per run: a budget document and emulator windows nobody used before.
        var clientId = $"bench-{(shared ? "shared" : "process")}-{instanceCount}-{Guid.NewGuid():N}"[..40];
        var warmUpCount = warmUp ? MaxWarmUpRounds * 2 * instanceCount : 0;
        var emulatorOptions = new EmulatorOptions { ClientId = clientId, ClientSecret = ClientSecret };
        emulatorOptions.RateLimit.Mode = mode;
        emulatorOptions.Tenant.AdditionalPotentialRoleIdentityCounts = Enumerable.Repeat(3, warmUpCount + roleCount).ToList();
        emulatorOptions.Exports.QueuedFor = TimeSpan.FromMilliseconds(200);
        emulatorOptions.Exports.InProgressFor = TimeSpan.FromMilliseconds(300);
        await using var emulator = await EmulatorServer.StartAsync(emulatorOptions);
        var additionalRoles = emulator.Tenant.PotentialRoles.Where(role => role.IsAdditional).ToList();
        var (warmUpRoles, roles) = (additionalRoles[..warmUpCount], additionalRoles[warmUpCount..]);
        var goFile = Path.Combine(Path.GetTempPath(), $"rolemining-bench-go-{Guid.NewGuid():N}");
        var warmUpFile = warmUp ? Path.Combine(Path.GetTempPath(), $"rolemining-bench-warm-up-{Guid.NewGuid():N}") : null;
        var settings = SimulatedInstance.Settings(azurite.ConnectionString, emulator.BaseAddress, clientId, ClientSecret, shared, goFile, warmUpFile);

        // The coordinator's own view of the app: the same services, used only to create and read jobs.
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings.Select(pair => KeyValuePair.Create(pair.Key.Replace("__", ":", StringComparison.Ordinal), pair.Value))).Build();
        var services = SimulatedInstance.Services(configuration, out _);
        foreach (var hosted in services.GetServices<IHostedService>())
        {
            await hosted.StartAsync(CancellationToken.None);
        }

        var jobs = services.GetRequiredService<ExportJobService>();
        var instances = new List<BackgroundProcess>();
        var realHosts = new List<FunctionsHostServer>();
        try
        {
            if (hosts is null)
            {
                var program = Path.Combine(AppContext.BaseDirectory, "RoleMining.RateBudget.Bench.dll");
                for (var index = 0; index < instanceCount; index++)
                {
                    instances.Add(BackgroundProcess.Start(ProcessRun.ProcessStart("dotnet", ["exec", program, SimulatedInstance.Argument], AppContext.BaseDirectory, settings)));
                }

                if (warmUpFile is not null)
                {
                    await WarmUpAsync(instances, jobs, warmUpRoles, emulator, azurite, shared, warmUpFile);
                }

                foreach (var instance in instances)
                {
                    await instance.WaitForLineAsync(Ready(), TimeSpan.FromMinutes(3));
                }
            }

            // Every job is queued before any instance may take one (as a sweep queues its batch), and the clock starts with
            // the first SailPoint request: the wall time is the fleet draining the queue under one budget. (Created while the
            // instances ran, the jobs trickled in: 400 took 25 s at N = 16, Azurite being busy with the instances' polling.)
            var ids = await CreateJobsAsync(jobs, roles);

            emulator.Statistics.Reset();
            emulator.ResetRateLimits();
            var firstRequest = FirstRequestAsync(emulator);
            if (hosts is null)
            {
                await File.WriteAllTextAsync(goFile, "go");
            }
            else
            {
                // Real hosts start now and take work as soon as each is up; the clock starts with the first request.
                realHosts.AddRange(await Task.WhenAll(Enumerable.Range(0, instanceCount).Select(_ => FunctionsHostServer.StartAsync(hosts.Location, hosts.AppDirectory, RealHosts.Settings(settings)))));
                instances.AddRange(realHosts.Select(host => host.Process));
            }

            var started = await firstRequest;
            using var sampling = new CancellationTokenSource();
            var timeline = SampleAsync(emulator, sampling.Token);
            var finished = await WaitForJobsAsync(jobs, ids, emulator, roleCount, instances);
            await sampling.CancelAsync();
            Console.Error.WriteLine("  requests per 10 s: " + string.Join(' ', await timeline));
            var wall = (finished.Where(job => job.CompletedAt is not null).Select(job => job.CompletedAt!.Value).DefaultIfEmpty(DateTimeOffset.UtcNow).Max() - started).TotalSeconds;
            await Task.Delay(TimeSpan.FromSeconds(1));
            var counters = hosts is null ? instances.Select(Counters).ToList() : null;
            ReportFailures(instances);

            var statistics = emulator.Statistics;
            var requests = statistics.TotalRequests - statistics.RequestsFor(OperationIds.Token);
            var limit = emulator.Options.RateLimit;
            var bound = RateBounds.NoRefusal(requests - statistics.RateLimitedResponses, limit.PermitLimit, limit.Window).TotalSeconds;
            return new Row(
                mode,
                instanceCount,
                hosts is not null ? "Functions host" : warmUp ? "simulated" : "simulated cold",
                shared,
                finished.Count(job => job.State == ExportJobState.Succeeded),
                roleCount,
                wall,
                requests,
                statistics.RateLimitedResponses,
                bound,
                statistics.PeakRequestsPerWindow,
                counters?.Sum(counter => counter.Reads + counter.Writes),
                counters?.Sum(counter => counter.Conflicts),
                counters?.Sum(counter => counter.Writes - counter.Conflicts));
        }
        finally
        {
            foreach (var host in realHosts)
            {
                await host.DisposeAsync();
            }

            foreach (var instance in instances.Except(realHosts.Select(host => host.Process)))
            {
                await instance.DisposeAsync();
            }

            File.Delete(goFile);
            if (warmUpFile is not null)
            {
                File.Delete(warmUpFile);
            }
        }
    }

    /// <summary>
    /// Sends rounds of warm-up jobs (two per instance) until every instance has run each step at least once, or
    /// <see cref="MaxWarmUpRounds"/> rounds were sent (the queues are shared, so which instance runs which step is up to
    /// them; the count of instances that ran every step is printed), ends the warm-up, and waits until the budget is idle:
    /// no live lease holds or wants a permit, no pause is pending, and a window has passed since the last warm-up request.
    /// </summary>
    private static async Task WarmUpAsync(List<BackgroundProcess> instances, ExportJobService jobs, List<TenantPotentialRole> roles, EmulatorServer emulator, AzuriteServer azurite, bool shared, string warmUpFile)
    {
        foreach (var instance in instances)
        {
            await instance.WaitForLineAsync(Warming(), TimeSpan.FromMinutes(3));
        }

        var rounds = roles.Chunk(2 * instances.Count).ToList();
        var round = 0;
        while (round < rounds.Count && !instances.All(WarmedEveryStep))
        {
            var ids = await CreateJobsAsync(jobs, rounds[round]);

            var done = await WaitForJobsAsync(jobs, ids, emulator, emulator.Statistics.RequestsForAnyVersion(OperationIds.DownloadRoleMiningPotentialRoleZip) + ids.Count, instances);
            var succeeded = done.Count(job => job.State == ExportJobState.Succeeded);
            if (succeeded != ids.Count)
            {
                throw new InvalidOperationException($"{succeeded} of the {ids.Count} jobs of warm-up round {round + 1} succeeded.");
            }

            round++;

            // An instance prints what it ran every 250 ms.
            await Task.Delay(500);
        }

        var warmedUp = DateTimeOffset.UtcNow;
        Console.Error.WriteLine($"  warm-up: {round} round(s) of {2 * instances.Count} jobs; {instances.Count(WarmedEveryStep)} of {instances.Count} instances ran every step");
        await File.WriteAllTextAsync(warmUpFile, "warm");
        var budget = new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient(FunctionsSettings.RateBudgetContainer);
        var waiting = Stopwatch.StartNew();
        while (shared && await BudgetBusyAsync(budget))
        {
            if (waiting.Elapsed > TimeSpan.FromMinutes(2))
            {
                throw new TimeoutException("The shared budget was still in use 2 minutes after the warm-up.");
            }

            await Task.Delay(250);
        }

        // The emulator's sliding window and each process's own log forget the warm-up's requests one window (plus the
        // client's jitter margin, 250 ms) after the last; the coordinator resets the emulator's fixed windows itself.
        var quiet = warmedUp + emulator.Options.RateLimit.Window + TimeSpan.FromSeconds(1) - DateTimeOffset.UtcNow;
        if (quiet > TimeSpan.Zero)
        {
            await Task.Delay(quiet);
        }

        static bool WarmedEveryStep(BackgroundProcess instance) =>
            instance.Lines.LastOrDefault(line => line.StartsWith("warmed ", StringComparison.Ordinal)) is { } line
            && WarmedSteps().Matches(line).Count(match => match.Groups["count"].Value != "0" && match.Groups["step"].Value is "start" or "poll" or "download") == 3;
    }

    /// <summary>Whether a live lease in the budget document (the run's only one) holds permits or wants some, or a pause is
    /// pending. Read as plain JSON: the document's type is the library's own.</summary>
    private static async Task<bool> BudgetBusyAsync(BlobContainerClient budget)
    {
        var now = DateTimeOffset.UtcNow;
        await foreach (var blob in budget.GetBlobsAsync())
        {
            var content = (await budget.GetBlobClient(blob.Name).DownloadContentAsync()).Value.Content;
            using var document = JsonDocument.Parse(content.ToMemory());
            var root = document.RootElement;
            if ((root.TryGetProperty("pausedUntil", out var paused) && paused.ValueKind == JsonValueKind.String && paused.GetDateTimeOffset() > now)
                || (root.TryGetProperty("leases", out var leases)
                    && leases.EnumerateArray().Any(lease => lease.GetProperty("until").GetDateTimeOffset() > now && (HasAny(lease, "units") || HasAny(lease, "wants")))))
            {
                return true;
            }
        }

        return false;

        static bool HasAny(JsonElement lease, string name) =>
            lease.TryGetProperty(name, out var values) && values.ValueKind == JsonValueKind.Object && values.EnumerateObject().Any(value => value.Value.GetInt32() > 0);
    }

    /// <summary>Creates an export job per role, as the app's HTTP API or sweep would (their start messages go to the queue).</summary>
    private static async Task<List<string>> CreateJobsAsync(ExportJobService jobs, IEnumerable<TenantPotentialRole> roles)
    {
        var ids = new System.Collections.Concurrent.ConcurrentBag<string>();
        await Parallel.ForEachAsync(roles, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (role, cancellationToken) =>
            ids.Add((await jobs.CreateAsync(new ExportJobRequest { SessionId = role.Session.Id, PotentialRoleId = role.Id }, cancellationToken)).Job.JobId));
        return [.. ids];
    }

    /// <summary>When the emulator received the run's first request (polled every few milliseconds).</summary>
    private static async Task<DateTimeOffset> FirstRequestAsync(EmulatorServer emulator)
    {
        var deadline = Stopwatch.StartNew();
        while (emulator.Statistics.TotalRequests == 0)
        {
            if (deadline.Elapsed > TimeSpan.FromMinutes(5))
            {
                throw new TimeoutException("No instance sent a request within 5 minutes.");
            }

            await Task.Delay(5);
        }

        return DateTimeOffset.UtcNow;
    }

    /// <summary>API requests the emulator received in each 10 s from the start, all and (in brackets) starts / status polls /
    /// downloads: where the wall time goes.</summary>
    private static async Task<List<string>> SampleAsync(EmulatorServer emulator, CancellationToken cancellationToken)
    {
        var buckets = new List<string>();
        (long All, long Start, long Poll, long Download) Read() => (
            emulator.Statistics.TotalRequests,
            emulator.Statistics.RequestsForAnyVersion(OperationIds.ExportRoleMiningPotentialRoleAsync),
            emulator.Statistics.RequestsForAnyVersion(OperationIds.ExportRoleMiningPotentialRoleStatus),
            emulator.Statistics.RequestsForAnyVersion(OperationIds.DownloadRoleMiningPotentialRoleZip));
        var last = Read();
        void Add()
        {
            var now = Read();
            buckets.Add($"{now.All - last.All}({now.Start - last.Start}/{now.Poll - last.Poll}/{now.Download - last.Download})");
            last = now;
        }

        try
        {
            while (true)
            {
                await Task.Delay(TimeSpan.FromSeconds(10), cancellationToken);
                Add();
            }
        }
        catch (OperationCanceledException)
        {
            Add();
            return buckets;
        }
    }

    private static async Task<List<ExportJob>> WaitForJobsAsync(ExportJobService jobs, List<string> ids, EmulatorServer emulator, long downloadsExpected, List<BackgroundProcess> instances)
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
            if (emulator.Statistics.RequestsForAnyVersion(OperationIds.DownloadRoleMiningPotentialRoleZip) >= downloadsExpected || deadline.Elapsed > TimeSpan.FromMinutes(5))
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

    /// <summary>Says on standard error which steps of the run (not of a warm-up) failed in the instances (a failed step
    /// waits 30 s for its retry, which shows in the wall time), the most frequent first.</summary>
    private static void ReportFailures(List<BackgroundProcess> instances)
    {
        static IEnumerable<string> RunLines(BackgroundProcess instance) =>
            instance.Lines.Contains("ready", StringComparer.Ordinal) ? instance.Lines.SkipWhile(line => line != "ready") : instance.Lines;
        var failures = instances.SelectMany(RunLines).Where(line => line.Contains(" failed (delivery ", StringComparison.Ordinal)).ToList();
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

    [GeneratedRegex("^warming$")]
    private static partial Regex Warming();

    [GeneratedRegex(@"(?<step>[a-z]+)=(?<count>\d+)")]
    private static partial Regex WarmedSteps();

    [GeneratedRegex("^ready$")]
    private static partial Regex Ready();

    [GeneratedRegex(@"reads=(?<reads>\d+) writes=(?<writes>\d+) conflicts=(?<conflicts>\d+)")]
    private static partial Regex CountersLine();

    /// <summary>Real Functions hosts over the published app, fed as the simulated instances are (queues polled at least
    /// every second instead of host.json's 10 s), with the app's own authentication configured as the app requires.</summary>
    private sealed record RealHosts(FunctionsHostLocation Location, string AppDirectory)
    {
        public static Dictionary<string, string?> Settings(Dictionary<string, string?> app) => new(app)
        {
            ["RoleMining_ResumeSchedule"] = FunctionsSettings.DefaultResumeSchedule,
            ["AzureFunctionsJobHost__extensions__queues__maxPollingInterval"] = "00:00:01",
        };
    }

    internal sealed record Row(
        EmulatorRateLimitMode Mode,
        int Instances,
        string Kind,
        bool Shared,
        int Succeeded,
        int Roles,
        double WallSeconds,
        long Requests,
        long Refused,
        double BoundSeconds,
        int PeakPerWindow,
        int? StoreOperations,
        int? StoreConflicts,
        int? StoreWrites)
    {
        public string Format() => string.Create(
            CultureInfo.InvariantCulture,
            $"| {Mode,-13} | {Instances,9} | {Kind,-14} | {(Shared ? "shared (Blob, ETag)" : "one per process"),-19} | {Succeeded,4}/{Roles,-4} | {WallSeconds,7:0.0} | {Requests,8} | {Refused,5} | {BoundSeconds,7:0.0} | {WallSeconds / Math.Max(BoundSeconds, 0.001),10:0.00} | {PeakPerWindow,11} | {(Shared && StoreOperations is { } operations ? ((double)operations / Math.Max(Requests, 1)).ToString("0.00", CultureInfo.InvariantCulture) : "-"),17} | {(Shared && StoreWrites is not null ? $"{StoreWrites} / {StoreConflicts}" : "-"),15} |");

        public static string Header =>
            "| window mode   | instances | instances are  | budget              | jobs ok   | wall s  | requests | 429s  | bound s | wall/bound | peak in 10s | store ops/request | writes / 412s   |\n" +
            "|---------------|-----------|----------------|---------------------|-----------|---------|----------|-------|---------|------------|-------------|-------------------|-----------------|";
    }
}
