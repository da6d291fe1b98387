using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.DependencyInjection;
using RoleMining.Bench;
using RoleMining.Cli.Commands;
using RoleMining.Cli.Output;
using RoleMining.SailPoint;
using RoleMining.SailPoint.Models;
using RoleMining.SailPoint.Serialization;

namespace RoleMining.Exports.Bench;

/// <summary>
/// <c>rolemining identities --format csv</c> against <c>--format json</c> for the same identities: the CLI's two
/// record writers, fed the same pages (fetched once from the emulator, 250 a page as the CLI asks), each writing a file
/// as the CLI does with <c>--out</c> (<see cref="AtomicFile"/>) and to standard output as the CLI does without it (a
/// UTF-8 StreamWriter with AutoFlush, here over /dev/null). Only the writing is measured, in this process's CPU time,
/// interleaved.
/// </summary>
internal static class RecordWriterBenchmark
{
    private const string ClientId = "bench-records";
    private const string ClientSecret = "bench-records-secret";

    public static async Task RunAsync(int identities, int rounds)
    {
        await using var emulator = await ChildEmulator.StartAsync(
        [
            $"--Emulator:ClientId={ClientId}",
            $"--Emulator:ClientSecret={ClientSecret}",
            "--Emulator:RateLimit:Enabled=false",
            "--Emulator:Tenant:ExtraAttributes=24",
            $"--Emulator:Tenant:AdditionalPotentialRoleIdentityCounts:0={identities}",
            "--Logging:LogLevel:Default=Warning",
        ]);
        var services = new ServiceCollection();
        services.AddSailPointRoleMining(options =>
        {
            options.BaseUrl = emulator.BaseAddress;
            options.ClientId = ClientId;
            options.ClientSecret = ClientSecret;
            options.RateLimit.Enabled = false;
        });
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IRoleMiningClient>();
        var pages = await FetchPagesAsync(client, identities);
        var typeInfo = (JsonTypeInfo<RoleMiningIdentity>)RoleMiningJson.Options.GetTypeInfo(typeof(RoleMiningIdentity));

        Console.WriteLine($"== CSV against JSON output of {identities:N0} identities (24 extra attributes; the CLI's writers to a file, {pages.Count} pages; the first round is a warm-up) ==");
        var directory = Directory.CreateTempSubdirectory("rolemining-records-bench-");
        try
        {
            string[] variants = ["csv file", "json file", "csv stdout", "json stdout"];
            var measured = variants.ToDictionary(variant => variant, _ => new List<(double Cpu, double Wall, double AllocatedMb, long Bytes)>());
            for (var round = 0; round < rounds; round++)
            {
                foreach (var format in variants.Skip(round % variants.Length).Concat(variants.Take(round % variants.Length)))
                {
                    var load = Machine.LoadAverage();
                    var result = await WriteAsync(Path.Combine(directory.FullName, "identities." + format.Replace(' ', '.')), format, pages, typeInfo);
                    if (round > 0)
                    {
                        measured[format].Add(result);
                    }

                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  round {round}{(round == 0 ? " (warm-up)" : "")} {format,-11} cpu {result.Cpu * 1000,6:0} ms  wall {result.Wall * 1000,6:0} ms  allocated {result.AllocatedMb,6:0.0} MB  file {result.Bytes / (1024.0 * 1024.0),5:0.0} MB  load {load}"));
                }
            }

            Console.WriteLine($"{"format",-11} {"CPU min ms",10} {"CPU med ms",10} {"wall med ms",11} {"alloc MB",9}");
            foreach (var (format, runs) in measured)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{format,-11} {runs.Min(run => run.Cpu) * 1000,10:0} {Machine.Median(runs.Select(run => run.Cpu)) * 1000,10:0} {Machine.Median(runs.Select(run => run.Wall)) * 1000,11:0} {Machine.Median(runs.Select(run => run.AllocatedMb)),9:0.0}"));
            }

            foreach (var destination in new[] { "file", "stdout" })
            {
                var csv = measured["csv " + destination];
                var json = measured["json " + destination];
                var ratio = Machine.Median(csv.Select(run => run.Cpu)) / Machine.Median(json.Select(run => run.Cpu));
                var minRatio = csv.Min(run => run.Cpu) / json.Min(run => run.Cpu);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"CSV / JSON CPU to {destination}: {ratio:0.00} (medians), {minRatio:0.00} (minimums); target <= 1.1."));
            }
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static async Task<(double Cpu, double Wall, double AllocatedMb, long Bytes)> WriteAsync(string path, string format, List<IReadOnlyList<RoleMiningIdentity>> pages, JsonTypeInfo<RoleMiningIdentity> typeInfo)
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        using var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var watch = Stopwatch.StartNew();
        long bytes;
        if (format.EndsWith("file", StringComparison.Ordinal))
        {
            var file = AtomicFile.Create(path);
            await using (file)
            {
                await WritePagesAsync(file.Writer, format, pages, typeInfo);
                await file.CommitAsync(CancellationToken.None);
            }

            watch.Stop();
            bytes = new FileInfo(path).Length;
        }
        else
        {
            // As CliConsole opens standard output.
            var stdout = new FileStream("/dev/null", FileMode.Open, FileAccess.Write);
            var writer = new StreamWriter(stdout, new System.Text.UTF8Encoding(false)) { AutoFlush = true };
            await using (writer)
            {
                await WritePagesAsync(writer, format, pages, typeInfo);
                bytes = 0;
            }

            watch.Stop();
        }

        process.Refresh();
        var cpu = (process.TotalProcessorTime - cpuBefore).TotalSeconds;
        var allocated = (GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore) / (1024.0 * 1024.0);
        return (cpu, watch.Elapsed.TotalSeconds, allocated, bytes);
    }

    private static async Task WritePagesAsync(TextWriter destination, string format, List<IReadOnlyList<RoleMiningIdentity>> pages, JsonTypeInfo<RoleMiningIdentity> typeInfo)
    {
        IRecordWriter<RoleMiningIdentity> writer = format.StartsWith("csv", StringComparison.Ordinal)
            ? new CsvRecordWriter<RoleMiningIdentity>(destination, IdentitiesCommand.ChooseColumns)
            : new JsonRecordWriter<RoleMiningIdentity>(destination, typeInfo, indented: false);
        await using (writer)
        {
            foreach (var page in pages)
            {
                await writer.WritePageAsync(page, CancellationToken.None);
            }

            await writer.CompleteAsync(CancellationToken.None);
        }
    }

    private static async Task<List<IReadOnlyList<RoleMiningIdentity>>> FetchPagesAsync(IRoleMiningClient client, int identities)
    {
        var (sessionId, potentialRoleId) = await EmulatorRoles.FindAsync(client, identities);
        var pages = new List<IReadOnlyList<RoleMiningIdentity>>();
        await foreach (var page in client.GetPotentialRoleIdentitiesAsync(sessionId, potentialRoleId, new CollectionQuery { PageSize = RecordOutput.PageSize }).AsPages())
        {
            pages.Add(page.Values);
        }

        return pages;
    }
}
