using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using RoleMining.SailPoint;

using RoleMining.Bench;

namespace RoleMining.Exports.Bench;

/// <summary>
/// Peak memory of this process while the whole workflow exports one large stored zip (start, poll, download with
/// SHA-256, zip verification, unpacking, row counts, manifest), against the memory before the export and against an
/// export ten times smaller in the same run. The emulator runs in a child process, so the figures are the workflow's
/// and the client's alone.
/// </summary>
internal static class ExportMemoryBenchmark
{
    private const string ClientId = "bench-export-memory";
    private const string ClientSecret = "bench-export-memory-secret";
    private const double Mb = 1024 * 1024;
    private const int WarmUpIdentities = 1_000;

    // As in bench/RoleMining.SailPoint.Bench: with 24 extra attributes an identity row is about 530 bytes, so
    // 1,000,000 identities make a ~500 MB zip when stored (NoCompression).
    private const int ExtraAttributes = 24;
    private static readonly TimeSpan SampleInterval = TimeSpan.FromMilliseconds(50);

    public static async Task RunAsync(int largeIdentityCount)
    {
        var smallIdentityCount = largeIdentityCount / 10;
        await using var emulator = await ChildEmulator.StartAsync(
        [
            $"--Emulator:ClientId={ClientId}",
            $"--Emulator:ClientSecret={ClientSecret}",
            "--Emulator:RateLimit:Enabled=false",
            $"--Emulator:Tenant:ExtraAttributes={ExtraAttributes}",
            $"--Emulator:Tenant:AdditionalPotentialRoleIdentityCounts:0={WarmUpIdentities}",
            $"--Emulator:Tenant:AdditionalPotentialRoleIdentityCounts:1={smallIdentityCount}",
            $"--Emulator:Tenant:AdditionalPotentialRoleIdentityCounts:2={largeIdentityCount}",
            "--Emulator:Exports:Compression=NoCompression",
            "--Emulator:Exports:QueuedFor=00:00:00",
            "--Emulator:Exports:InProgressFor=00:00:00",
            "--Logging:LogLevel:Default=Warning",
        ]);

        var directory = Directory.CreateTempSubdirectory("rolemining-exports-bench-");
        try
        {
            await using var provider = BenchWorkflow.Provider(emulator.BaseAddress, ClientId, ClientSecret, directory.FullName, options =>
            {
                options.Polling.InitialDelay = TimeSpan.FromMilliseconds(200);
                options.Polling.MaxDelay = TimeSpan.FromSeconds(1);
            });
            var client = provider.GetRequiredService<IRoleMiningClient>();

            Console.WriteLine($"== Exporting one potential role through the whole workflow (stored zip, {ExtraAttributes} extra identity attributes): download + SHA-256 + zip check + unpack + row count + manifest; emulator in a child process ==");
            var warmUp = await EmulatorRoles.FindAsync(client, WarmUpIdentities);
            var small = await EmulatorRoles.FindAsync(client, smallIdentityCount);
            var large = await EmulatorRoles.FindAsync(client, largeIdentityCount);

            // JIT, connection and token first, so that the measured runs see the steady state.
            await MeasureAsync(provider, directory.FullName, warmUp, WarmUpIdentities, print: false);
            Console.WriteLine($"{"",-10} {"identities",11} {"zip MB",7} {"s",6} {"MB/s",6} {"WS before",10} {"WS peak",8} {"growth",7} {"heap before",12} {"heap peak",10}");
            var smallResult = await MeasureAsync(provider, directory.FullName, small, smallIdentityCount, print: true);
            var largeResult = await MeasureAsync(provider, directory.FullName, large, largeIdentityCount, print: true);

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Peak working set: {smallResult.PeakMb:N0} MB for the {smallResult.ZipMb:N0} MB zip, {largeResult.PeakMb:N0} MB for the {largeResult.ZipMb:N0} MB zip: " +
                $"ratio {largeResult.PeakMb / smallResult.PeakMb:0.00} for a {largeResult.ZipMb / smallResult.ZipMb:0.0}x larger file (flat = 1.00); " +
                $"growth above the baseline {smallResult.GrowthMb:N0} MB vs {largeResult.GrowthMb:N0} MB."));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Peak GC heap: {smallResult.HeapPeakMb:N1} MB vs {largeResult.HeapPeakMb:N1} MB (ratio {largeResult.HeapPeakMb / smallResult.HeapPeakMb:0.00})."));
            Console.WriteLine($"WS = working set of this process only (workflow + client; the emulator is a child process), sampled every {SampleInterval.TotalMilliseconds:0} ms;");
            Console.WriteLine("'before' is measured after a full compacting GC; 'heap' is the managed heap (GC.GetTotalMemory) at its highest.");
            Console.WriteLine("Each job must succeed with identities.csv holding exactly the role's identities; its files are deleted after the row.");
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static async Task<Measurement> MeasureAsync(IServiceProvider provider, string root, (string SessionId, string PotentialRoleId) role, int identities, bool print)
    {
        IReadOnlyList<ExportJob> jobs = [];
        var memory = await MemoryPeakSampler.MeasureAsync(async () => jobs = await BenchWorkflow.ExportAsync(provider, [role], CancellationToken.None), SampleInterval);
        var (before, peak, heapBefore, heapPeak) = (memory.WorkingSetBefore, memory.WorkingSetPeak, memory.HeapBefore, memory.HeapPeak);

        // A figure from a broken export would be worthless: the job succeeded (BenchWorkflow checks); the rows must match.
        var job = jobs[0];
        var zip = job.Artifacts.Single(artifact => artifact.Name == ExportArtifactLayout.ZipFileName);
        var rows = job.Artifacts.Single(artifact => artifact.Name == "identities.csv").RowCount;
        if (rows != identities || !job.Artifacts.Any(artifact => artifact.Name == ExportArtifactLayout.ManifestFileName) && !File.Exists(Path.Combine(root, ExportArtifactLayout.JobFolder(job), ExportArtifactLayout.ManifestFileName)))
        {
            throw new InvalidOperationException($"Job {job.JobId}: identities.csv has {rows} rows (expected {identities}) or no manifest.");
        }

        Directory.Delete(Path.Combine(root, job.SessionId), recursive: true);
        var result = new Measurement(zip.Size / Mb, peak / Mb, (peak - before) / Mb, heapPeak / Mb);
        if (print)
        {
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{"workflow",-10} {identities,11:N0} {result.ZipMb,7:N0} {memory.Elapsed.TotalSeconds,6:0.0} {result.ZipMb / memory.Elapsed.TotalSeconds,6:N0} {before / Mb,10:N0} {result.PeakMb,8:N0} {result.GrowthMb,7:N0} {heapBefore / Mb,12:N1} {result.HeapPeakMb,10:N1}"));
        }

        return result;
    }

    private sealed record Measurement(double ZipMb, double PeakMb, double GrowthMb, double HeapPeakMb);
}
