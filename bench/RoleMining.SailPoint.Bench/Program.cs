using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using RoleMining.Emulator;
using RoleMining.SailPoint;
using RoleMining.SailPoint.Bench;
using RoleMining.SailPoint.Models;

// Benchmark of the SailPoint client against an in-process emulator (rate limit off). Prints figures and the
// baselines measured in the same run. Options: --quick (smaller sizes, for a smoke run).
var quick = args.Contains("--quick", StringComparer.Ordinal);
var identityCount = quick ? 20_000 : 100_000;
var rounds = quick ? 2 : 3;

Console.WriteLine($"RoleMining.SailPoint benchmark  (.NET {Environment.Version}, {Environment.ProcessorCount} cores, Server GC: {System.Runtime.GCSettings.IsServerGC})");
Console.WriteLine("The emulator runs in this process: every figure includes its work unless stated otherwise.");
Console.WriteLine();

await IdentityEnumeration.RunAsync(identityCount, rounds);
Console.WriteLine();
await DownloadMemory.RunAsync(quick);

namespace RoleMining.SailPoint.Bench
{
    /// <summary>Identities per second and bytes allocated per identity while enumerating one large potential role.</summary>
    internal static class IdentityEnumeration
    {
        private static readonly JsonSerializerOptions WebJson = new(JsonSerializerDefaults.Web);

        public static async Task RunAsync(int identityCount, int rounds)
        {
            var emulatorOptions = new EmulatorOptions { ClientId = "bench", ClientSecret = "bench-secret" };
            emulatorOptions.RateLimit.Enabled = false;
            emulatorOptions.Tenant.AdditionalPotentialRoleIdentityCounts = [identityCount];
            await using var server = await EmulatorServer.StartAsync(emulatorOptions);
            var role = server.Tenant.PotentialRoles.Single(item => item.IsAdditional);

            using var provider = Clients.Provider(server);
            var client = provider.GetRequiredService<IRoleMiningClient>();
            using var plain = new HttpClient { BaseAddress = server.BaseAddress };
            plain.DefaultRequestHeaders.Authorization = new("Bearer", await Clients.TokenAsync(plain, server));
            plain.DefaultRequestHeaders.Add("X-SailPoint-Experimental", "true");
            var path = $"v2024/role-mining-sessions/{role.Session.Id}/potential-roles/{role.Id}/identities";

            var candidates = new (string Name, Func<Task<int>> Run)[]
            {
                ("RoleMiningClient (IAsyncEnumerable)", async () =>
                {
                    var count = 0;
                    await foreach (var identity in client.GetPotentialRoleIdentitiesAsync(role.Session.Id, role.Id))
                    {
                        count += identity.Id is null ? 0 : 1;
                    }

                    return count;
                }),
                ("Plain HttpClient GET + System.Text.Json", async () =>
                {
                    var count = 0;
                    for (var offset = 0; ; offset += 250)
                    {
                        using var response = await plain.GetAsync($"{path}?offset={offset}&limit=250");
                        response.EnsureSuccessStatusCode();
                        var page = await response.Content.ReadFromJsonAsync<List<RoleMiningIdentity>>(WebJson) ?? [];
                        count += page.Count(identity => identity.Id is not null);
                        if (page.Count < 250)
                        {
                            return count;
                        }
                    }
                }),
                ("Emulator + transport only (bytes drained, no JSON)", async () =>
                {
                    var buffer = new byte[64 * 1024];
                    var pages = 0;
                    for (var offset = 0; offset < identityCount + 250; offset += 250)
                    {
                        using var response = await plain.GetAsync($"{path}?offset={offset}&limit=250", HttpCompletionOption.ResponseHeadersRead);
                        response.EnsureSuccessStatusCode();
                        await using var body = await response.Content.ReadAsStreamAsync();
                        while (await body.ReadAsync(buffer) > 0)
                        {
                        }

                        pages++;
                    }

                    return Math.Min(identityCount, pages * 250);
                }),
            };

            Console.WriteLine($"== Enumerating a potential role of {identityCount:N0} identities ({identityCount / 250 + 1} pages of 250), {rounds} rounds, median ==");
            foreach (var candidate in candidates)
            {
                // Warm-up: JIT, connection pool, token.
                await candidate.Run();
            }

            var results = candidates.ToDictionary(candidate => candidate.Name, _ => new List<(double Seconds, long Bytes)>());
            for (var round = 0; round < rounds; round++)
            {
                // Interleaved, so drift of the machine (other load, thermal) hits every candidate alike.
                foreach (var candidate in candidates)
                {
                    GC.Collect();
                    GC.WaitForPendingFinalizers();
                    var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
                    var watch = Stopwatch.StartNew();
                    var count = await candidate.Run();
                    watch.Stop();
                    var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
                    if (count != identityCount)
                    {
                        throw new InvalidOperationException($"{candidate.Name} saw {count} identities, expected {identityCount}.");
                    }

                    results[candidate.Name].Add((watch.Elapsed.TotalSeconds, allocated));
                }
            }

            var baselineBytes = Median(results[candidates[2].Name].Select(result => (double)result.Bytes));
            Console.WriteLine($"{"",-52} {"identities/s",14} {"alloc B/identity",17} {"minus emulator+transport",25}");
            foreach (var candidate in candidates)
            {
                var seconds = Median(results[candidate.Name].Select(result => result.Seconds));
                var bytes = Median(results[candidate.Name].Select(result => (double)result.Bytes));
                var own = candidate == candidates[2] ? "-" : ((bytes - baselineBytes) / identityCount).ToString("N0", CultureInfo.InvariantCulture);
                Console.WriteLine($"{candidate.Name,-52} {identityCount / seconds,14:N0} {bytes / identityCount,17:N0} {own,25}");
            }

            var clientRate = identityCount / Median(results[candidates[0].Name].Select(result => result.Seconds));
            var plainRate = identityCount / Median(results[candidates[1].Name].Select(result => result.Seconds));
            Console.WriteLine($"Client / plain loop throughput: {clientRate / plainRate:0.00}x (target: >= 1.00)");
            Console.WriteLine("Allocation is GC.GetTotalAllocatedBytes(precise) over the whole process: it includes the emulator's own work;");
            Console.WriteLine("the last column subtracts the emulator+transport-only baseline to estimate what the client itself allocates.");
        }

        private static double Median(IEnumerable<double> values)
        {
            var sorted = values.Order().ToList();
            return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
        }
    }

    /// <summary>Peak working set while streaming a large export zip to a file, at two sizes.</summary>
    internal static class DownloadMemory
    {
        public static async Task RunAsync(bool quick)
        {
            // ~1M identities with extra attributes: about 500 MB of uncompressed CSV in the zip.
            var large = quick ? 100_000 : 1_000_000;
            var small = large / 10;
            const int extraAttributes = 24;

            var emulatorOptions = new EmulatorOptions { ClientId = "bench-download", ClientSecret = "bench-secret" };
            emulatorOptions.RateLimit.Enabled = false;
            emulatorOptions.Tenant.ExtraAttributes = extraAttributes;
            emulatorOptions.Tenant.AdditionalPotentialRoleIdentityCounts = [small, large];
            emulatorOptions.Exports.Compression = CompressionLevel.NoCompression;
            emulatorOptions.Exports.QueuedFor = TimeSpan.Zero;
            emulatorOptions.Exports.InProgressFor = TimeSpan.Zero;
            await using var server = await EmulatorServer.StartAsync(emulatorOptions);
            using var provider = Clients.Provider(server);
            var client = provider.GetRequiredService<IRoleMiningClient>();
            using var plain = new HttpClient { BaseAddress = server.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
            plain.DefaultRequestHeaders.Authorization = new("Bearer", await Clients.TokenAsync(plain, server));
            plain.DefaultRequestHeaders.Add("X-SailPoint-Experimental", "true");

            Console.WriteLine($"== Streaming an export zip to a file (NoCompression, {extraAttributes} extra attributes per identity) ==");
            Console.WriteLine($"{"",-44} {"identities",11} {"MB",8} {"MB/s",8} {"WS before",10} {"WS peak",9} {"peak-before",12}");
            var directory = Directory.CreateTempSubdirectory("rolemining-bench-");
            try
            {
                foreach (var identities in new[] { small, large })
                {
                    var role = server.Tenant.PotentialRoles.Single(item => item.IsAdditional && item.IdentityCount == identities);
                    var export = await client.StartExportAsync(role.Session.Id, role.Id, new PotentialRoleExportRequest { IncludeCommonAccess = true });
                    while (export.Status is PotentialRoleExportState.Queued or PotentialRoleExportState.InProgress)
                    {
                        await Task.Delay(50);
                        export = await client.GetExportStatusAsync(role.Session.Id, role.Id, export.ExportId!);
                    }

                    var file = Path.Combine(directory.FullName, $"{identities}.zip");
                    await Measure("Emulator + plain HttpClient stream (baseline)", identities, file, async target =>
                    {
                        using var response = await plain.GetAsync(
                            $"v2024/role-mining-sessions/{role.Session.Id}/potential-roles/{role.Id}/export-async/{export.ExportId}/download",
                            HttpCompletionOption.ResponseHeadersRead);
                        response.EnsureSuccessStatusCode();
                        await using var body = await response.Content.ReadAsStreamAsync();
                        await body.CopyToAsync(target);
                    });
                    await Measure("RoleMiningClient.DownloadExportAsync", identities, file, async target =>
                    {
                        await using var download = await client.DownloadExportAsync(role.Session.Id, role.Id, export.ExportId!);
                        await download.Content.CopyToAsync(target);
                    });
                }
            }
            finally
            {
                directory.Delete(recursive: true);
            }

            Console.WriteLine("WS = process working set (client + in-process emulator), sampled every 10 ms; 'before' is after a full GC.");
            Console.WriteLine("Target: peak below 100 MB and the same at both sizes (flat).");
        }

        private static async Task Measure(string name, int identities, string file, Func<Stream, Task> download)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
            using var process = Process.GetCurrentProcess();
            process.Refresh();
            var before = process.WorkingSet64;
            var peak = before;
            using var stop = new CancellationTokenSource();
            var sampler = Task.Run(async () =>
            {
                using var self = Process.GetCurrentProcess();
                while (!stop.IsCancellationRequested)
                {
                    self.Refresh();
                    peak = Math.Max(peak, self.WorkingSet64);
                    try
                    {
                        await Task.Delay(10, stop.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }
                }
            });

            var watch = Stopwatch.StartNew();
            long length;
            await using (var target = new FileStream(file, FileMode.Create, FileAccess.Write, FileShare.None, 81920, useAsync: true))
            {
                await download(target);
                length = target.Length;
            }

            watch.Stop();
            await stop.CancelAsync();
            await sampler;

            // The file must be a whole zip, or the figure measured a broken download.
            using (var zip = ZipFile.OpenRead(file))
            {
                _ = zip.Entries.Count;
            }

            const double mb = 1024 * 1024;
            Console.WriteLine($"{name,-44} {identities,11:N0} {length / mb,8:N0} {length / mb / watch.Elapsed.TotalSeconds,8:N0} {before / mb,10:N0} {peak / mb,9:N0} {(peak - before) / mb,12:N0}");
            File.Delete(file);
        }
    }

    internal static class Clients
    {
        public static ServiceProvider Provider(EmulatorServer server)
        {
            var services = new ServiceCollection();
            services.AddSailPointRoleMining(options =>
            {
                options.BaseUrl = server.BaseAddress;
                options.ClientId = server.Options.ClientId;
                options.ClientSecret = server.Options.ClientSecret;
                options.RateLimit.Enabled = false;
            });
            return services.BuildServiceProvider();
        }

        public static async Task<string> TokenAsync(HttpClient http, EmulatorServer server)
        {
            using var response = await http.PostAsync("oauth/token", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials",
                ["client_id"] = server.Options.ClientId,
                ["client_secret"] = server.Options.ClientSecret,
            }));
            response.EnsureSuccessStatusCode();
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            return body.RootElement.GetProperty("access_token").GetString()!;
        }
    }
}
