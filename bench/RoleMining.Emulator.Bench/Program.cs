using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Net.Http.Headers;
using System.Text.Json;
using RoleMining.Bench;
using RoleMining.Emulator;

// Emulator benchmark: prints figures, each next to a baseline measured in the same run.
//  1. Identities served per second while paging a 100,000-identity potential role (limit 250, rate limit off),
//     against the requests per second of a trivial endpoint (session status).
//  2. Peak memory of the process while it serves (and the client discards) a ~500 MB NoCompression export of a
//     1,000,000-identity role, against the memory before the download and a ~50 MB download of 100,000 identities.
// The emulator and the client share this process, so the memory figures include both (the client only holds an
// 80 KB read buffer); "GC committed" is the managed heap's committed memory. Options: --page-identities N, --download-identities N, --extra-attributes N, --rounds N.
var settings = BenchSettings.Parse(args);
Console.WriteLine($"RoleMining emulator benchmark  ({Environment.ProcessorCount} cores, .NET {Environment.Version}, server GC: {System.Runtime.GCSettings.IsServerGC}, load average {Machine.LoadAverage()})");
Console.WriteLine();

await PagingBenchmark.RunAsync(settings);
Console.WriteLine();
await DownloadBenchmark.RunAsync(settings);

internal sealed record BenchSettings(int PageIdentities, int DownloadIdentities, int ExtraAttributes, int Rounds)
{
    public static BenchSettings Parse(string[] args)
    {
        int Read(string name, int fallback)
        {
            var index = Array.IndexOf(args, name);
            return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
        }

        // 24 extra attributes make an identities.csv row about 530 bytes: 1,000,000 rows are about 500 MB.
        return new BenchSettings(Read("--page-identities", 100_000), Read("--download-identities", 1_000_000), Read("--extra-attributes", 24), Read("--rounds", 3));
    }
}

internal static class Http
{
    public static async Task<HttpClient> CreateClientAsync(EmulatorServer server)
    {
        var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromMinutes(10) };
        using var response = await http.PostAsync(
            new Uri("oauth/token", UriKind.Relative),
            new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials",
                ["client_id"] = server.Options.ClientId,
                ["client_secret"] = server.Options.ClientSecret,
            }));
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", body.RootElement.GetProperty("access_token").GetString());
        http.DefaultRequestHeaders.Add("X-SailPoint-Experimental", "true");
        return http;
    }

    /// <summary>GET whose body is read to the end and discarded; returns the byte count.</summary>
    public static async Task<long> DrainAsync(HttpClient http, string path, byte[] buffer)
    {
        using var response = await http.GetAsync(new Uri(path, UriKind.Relative), HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        await using var stream = await response.Content.ReadAsStreamAsync();
        long total = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            total += read;
        }

        return total;
    }
}

internal static class PagingBenchmark
{
    public static async Task RunAsync(BenchSettings settings)
    {
        var options = new EmulatorOptions();
        options.RateLimit.Enabled = false;
        options.Tenant.AdditionalPotentialRoleIdentityCounts = [settings.PageIdentities];
        await using var server = await EmulatorServer.StartAsync(options);
        using var http = await Http.CreateClientAsync(server);
        var role = server.Tenant.PotentialRoles.Single(r => r.IsAdditional);
        var statusPath = $"v2024/role-mining-sessions/{role.Session.Id}/status";
        var identitiesPath = $"v2024/role-mining-sessions/{role.Session.Id}/potential-roles/{role.Id}/identities";
        var buffer = new byte[81920];

        // Warm-up: JIT, connection pool, tiered compilation.
        for (var i = 0; i < 200; i++)
        {
            await Http.DrainAsync(http, statusPath, buffer);
            await Http.DrainAsync(http, $"{identitiesPath}?limit=250&offset={i * 250 % settings.PageIdentities}", buffer);
        }

        var pages = (settings.PageIdentities + 249) / 250;
        var baselineRates = new List<double>();
        var identityRates = new List<double>();
        var pageRates = new List<double>();
        long pageBytes = 0;
        for (var round = 0; round < settings.Rounds; round++)
        {
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < pages; i++)
            {
                await Http.DrainAsync(http, statusPath, buffer);
            }

            baselineRates.Add(pages / watch.Elapsed.TotalSeconds);

            watch.Restart();
            long identities = 0;
            pageBytes = 0;
            for (var offset = 0; offset < settings.PageIdentities; offset += 250)
            {
                pageBytes += await Http.DrainAsync(http, $"{identitiesPath}?limit=250&offset={offset}", buffer);
                identities += Math.Min(250, settings.PageIdentities - offset);
            }

            identityRates.Add(identities / watch.Elapsed.TotalSeconds);
            pageRates.Add(pages / watch.Elapsed.TotalSeconds);
        }

        // Outside the timing: the pages drained above must hold the identities counted for them.
        for (var offset = 0; offset < settings.PageIdentities; offset += 250)
        {
            using var page = JsonDocument.Parse(await http.GetByteArrayAsync($"{identitiesPath}?limit=250&offset={offset}"));
            var expected = Math.Min(250, settings.PageIdentities - offset);
            if (page.RootElement.GetArrayLength() != expected)
            {
                throw new InvalidOperationException($"The page at offset {offset} holds {page.RootElement.GetArrayLength()} identities, not {expected}.");
            }
        }

        var baseline = Machine.Median(baselineRates);
        var pageRate = Machine.Median(pageRates);
        Console.WriteLine($"1. Paging a {settings.PageIdentities:N0}-identity potential role over HTTP (limit 250, one client, rate limit off; median and best of {settings.Rounds} rounds, rounds alternate the two)");
        Console.WriteLine($"   baseline: trivial endpoint (session status)   {baseline,10:N0} requests/s  (best {baselineRates.Max():N0})");
        Console.WriteLine($"   identities pages                             {pageRate,10:N0} requests/s  = {pageRate / baseline:P0} of the baseline rate  (best {pageRates.Max():N0})");
        Console.WriteLine($"   identities served                            {Machine.Median(identityRates),10:N0} identities/s  ({pageBytes / (double)pages / 1024:N1} KB per page; every page's count checked)");
    }
}

internal static class DownloadBenchmark
{
    public static async Task RunAsync(BenchSettings settings)
    {
        var small = Math.Max(1, settings.DownloadIdentities / 10);
        var options = new EmulatorOptions();
        options.RateLimit.Enabled = false;
        options.Exports.Compression = CompressionLevel.NoCompression;
        options.Tenant.ExtraAttributes = settings.ExtraAttributes;
        options.Tenant.AdditionalPotentialRoleIdentityCounts = [small, settings.DownloadIdentities];
        await using var server = await EmulatorServer.StartAsync(options);
        using var http = await Http.CreateClientAsync(server);
        var roles = server.Tenant.PotentialRoles.Where(r => r.IsAdditional).ToList();
        var buffer = new byte[81920];

        // Warm-up with a small export, then settle the heap before taking the baseline.
        await Http.DrainAsync(http, ExportPath(roles[0]), buffer);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var baseline = MemorySample.Take();

        Console.WriteLine($"2. Memory while serving NoCompression export downloads (emulator and client in this process; the client discards the bytes)");
        Console.WriteLine($"   baseline before any download                  working set {Mb(baseline.WorkingSet),8:N1} MB   GC committed {Mb(baseline.GcHeap),7:N1} MB");
        foreach (var role in roles)
        {
            var (bytes, elapsed, peak) = await MeasureAsync(http, ExportPath(role), buffer);
            Console.WriteLine(
                $"   {role.IdentityCount,9:N0} identities, {Mb(bytes),7:N1} MB zip in {elapsed.TotalSeconds,5:N1} s ({Mb(bytes) / elapsed.TotalSeconds,5:N0} MB/s)  " +
                $"peak working set {Mb(peak.WorkingSet),8:N1} MB (+{Mb(peak.WorkingSet - baseline.WorkingSet),6:N1})   peak GC committed {Mb(peak.GcHeap),7:N1} MB (+{Mb(peak.GcHeap - baseline.GcHeap),6:N1})");
        }
    }

    private static string ExportPath(TenantPotentialRole role) => $"v2024/role-mining-sessions/{role.Session.Id}/potential-roles/{role.Id}/export";

    private static async Task<(long Bytes, TimeSpan Elapsed, MemorySample Peak)> MeasureAsync(HttpClient http, string path, byte[] buffer)
    {
        using var cancellation = new CancellationTokenSource();
        var peak = MemorySample.Take();
        var sampler = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
            try
            {
                while (await timer.WaitForNextTickAsync(cancellation.Token))
                {
                    peak = MemorySample.Max(peak, MemorySample.Take());
                }
            }
            catch (OperationCanceledException)
            {
            }
        });
        var watch = Stopwatch.StartNew();
        var bytes = await Http.DrainAsync(http, path, buffer);
        watch.Stop();
        await cancellation.CancelAsync();
        await sampler;
        return (bytes, watch.Elapsed, MemorySample.Max(peak, MemorySample.Take()));
    }

    private static double Mb(long bytes) => bytes / (1024.0 * 1024.0);
}

internal readonly record struct MemorySample(long WorkingSet, long GcHeap)
{
    public static MemorySample Take()
    {
        using var process = Process.GetCurrentProcess();
        // Committed GC memory as of the last collection: GC.GetTotalMemory(false) can even read negative between collections.
        return new MemorySample(process.WorkingSet64, GC.GetGCMemoryInfo().TotalCommittedBytes);
    }

    public static MemorySample Max(MemorySample a, MemorySample b) => new(Math.Max(a.WorkingSet, b.WorkingSet), Math.Max(a.GcHeap, b.GcHeap));
}
