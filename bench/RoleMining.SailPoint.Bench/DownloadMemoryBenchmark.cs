using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using Microsoft.Extensions.DependencyInjection;
using RoleMining.SailPoint.Models;

using RoleMining.Bench;

namespace RoleMining.SailPoint.Bench;

/// <summary>
/// Peak working set of this process while streaming an export zip to a file, at two sizes (10x apart), for the client
/// and for a plain HttpClient stream. The emulator runs in a child process, so the figures are the client's alone.
/// </summary>
internal static class DownloadMemoryBenchmark
{
    private const string ClientId = "bench-download";
    private const string ClientSecret = "bench-download-secret";

    // With 24 extra attributes an identity row is about 530 bytes: 1,000,000 identities make a ~500 MB zip (stored).
    private const int ExtraAttributes = 24;

    public static async Task RunAsync(int largeIdentityCount)
    {
        var smallIdentityCount = largeIdentityCount / 10;
        await using var emulator = await ChildEmulator.StartAsync(
        [
            $"--Emulator:ClientId={ClientId}",
            $"--Emulator:ClientSecret={ClientSecret}",
            "--Emulator:RateLimit:Enabled=false",
            $"--Emulator:Tenant:ExtraAttributes={ExtraAttributes}",
            $"--Emulator:Tenant:AdditionalPotentialRoleIdentityCounts:0={smallIdentityCount}",
            $"--Emulator:Tenant:AdditionalPotentialRoleIdentityCounts:1={largeIdentityCount}",
            "--Emulator:Exports:Compression=NoCompression",
            "--Emulator:Exports:QueuedFor=00:00:00",
            "--Emulator:Exports:InProgressFor=00:00:00",
            "--Logging:LogLevel:Default=Warning",
        ]);
        using var provider = BenchClients.Provider(emulator.BaseAddress, ClientId, ClientSecret);
        var client = provider.GetRequiredService<IRoleMiningClient>();
        using var plain = await BenchClients.PlainAsync(emulator.BaseAddress, ClientId, ClientSecret);

        Console.WriteLine($"== Streaming an export zip to a file (stored, {ExtraAttributes} extra identity attributes); emulator in a child process ==");
        Console.WriteLine($"{"",-46} {"identities",11} {"MB",6} {"MB/s",6} {"WS before",10} {"WS peak",8} {"growth",7} {"heap peak",10}");
        var directory = Directory.CreateTempSubdirectory("rolemining-bench-");
        var peaks = new List<(string Name, int Identities, double PeakMb)>();
        try
        {
            // The client first at both sizes, then the baseline: the GC keeps what a run committed, so the first
            // runs see the cleanest process.
            var exports = new List<(int Identities, string SessionId, string RoleId, string ExportId)>();
            foreach (var identities in new[] { smallIdentityCount, largeIdentityCount })
            {
                var (sessionId, roleId) = await EmulatorRoles.FindAsync(client, identities);
                var export = await client.StartExportAsync(sessionId, roleId, new PotentialRoleExportRequest { IncludeCommonAccess = true });
                while (export.Status is PotentialRoleExportState.Queued or PotentialRoleExportState.InProgress)
                {
                    await Task.Delay(50);
                    export = await client.GetExportStatusAsync(sessionId, roleId, export.ExportId!);
                }

                exports.Add((identities, sessionId, roleId, export.ExportId!));
            }

            foreach (var (identities, sessionId, roleId, exportId) in exports)
            {
                peaks.Add(await MeasureAsync("RoleMiningClient.DownloadExportAsync", identities, Path.Combine(directory.FullName, "client.zip"), async target =>
                {
                    await using var download = await client.DownloadExportAsync(sessionId, roleId, exportId);
                    await download.Content.CopyToAsync(target);
                }));
            }

            foreach (var (identities, sessionId, roleId, exportId) in exports)
            {
                var downloadPath = $"v2024/role-mining-sessions/{sessionId}/potential-roles/{roleId}/export-async/{exportId}/download";
                peaks.Add(await MeasureAsync("Plain HttpClient stream (baseline)", identities, Path.Combine(directory.FullName, "plain.zip"), async target =>
                {
                    using var response = await plain.GetAsync(downloadPath, HttpCompletionOption.ResponseHeadersRead);
                    response.EnsureSuccessStatusCode();
                    await using var body = await response.Content.ReadAsStreamAsync();
                    await body.CopyToAsync(target);
                }));
            }
        }
        finally
        {
            directory.Delete(recursive: true);
        }

        var clientPeaks = peaks.Where(peak => peak.Name.StartsWith("RoleMiningClient", StringComparison.Ordinal)).ToList();
        Console.WriteLine(
            $"Client peak working set: {clientPeaks[0].PeakMb:N0} MB at {clientPeaks[0].Identities:N0} identities, {clientPeaks[1].PeakMb:N0} MB at {clientPeaks[1].Identities:N0} " +
            $"(ratio {clientPeaks[1].PeakMb / clientPeaks[0].PeakMb:0.00} for a 10x larger file). Target: below 100 MB and flat.");
        Console.WriteLine("WS = working set of this process only (the client; the emulator is a child process), sampled every 10 ms;");
        Console.WriteLine("'before' is measured after a full compacting GC; 'heap peak' is the managed heap (GC.GetTotalMemory) at its highest;");
        Console.WriteLine("the zip is checked to open after each download.");
    }

    private static async Task<(string Name, int Identities, double PeakMb)> MeasureAsync(string name, int identities, string file, Func<Stream, Task> download)
    {
        const double mb = 1024 * 1024;
        long length = 0;
        var memory = await MemoryPeakSampler.MeasureAsync(
            async () =>
            {
                await using var target = new FileStream(file, FileMode.Create, FileAccess.Write, FileShare.None, 81920, useAsync: true);
                await download(target);
                length = target.Length;
            },
            TimeSpan.FromMilliseconds(10));
        var (before, peak, heapPeak) = (memory.WorkingSetBefore, memory.WorkingSetPeak, memory.HeapPeak);

        // A figure from a broken download would be worthless: the zip must open.
        using (var zip = ZipFile.OpenRead(file))
        {
            _ = zip.Entries.Count;
        }

        File.Delete(file);
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{name,-46} {identities,11:N0} {length / mb,6:N0} {length / mb / memory.Elapsed.TotalSeconds,6:N0} {before / mb,10:N0} {peak / mb,8:N0} {(peak - before) / mb,7:N0} {heapPeak / mb,10:N1}"));
        return (name, identities, peak / mb);
    }
}
