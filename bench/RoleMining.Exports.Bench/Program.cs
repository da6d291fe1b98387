using System.Globalization;
using RoleMining.Bench;
using RoleMining.Exports.Bench;

// Benchmark of the export workflow (src/RoleMining.Exports) with the real client against the emulator. Prints measured
// figures next to bounds and baselines measured in the same run.
//   (no switch)    memory of one large export, then rate-limited throughput
//   --quick        40 exports, and a 50 MB export (against 5 MB) instead of 500 MB (against 50 MB)
//   --exports N    exports of the rate-limit run (default 200)
//   --wire         one export against curl and curl + unzip, to the filesystem and to Azurite blobs (50 MB and 500 MB;
//                  with --quick 5 MB and 50 MB), then CSV against JSON output of 100,000 identities; --rounds N (default 3);
//                  --huge adds a 2.1 GB export (--quick: 210 MB) for the contenders that write files, to see memory past 500 MB
//   --records      only the CSV against JSON part of --wire
//   --export-child one export in this process (the child the --wire run measures)
//   --upload-child files uploaded to Azurite with the SDK's parallel uploader (the --wire run's blob reference)
if (args.Length > 0 && args[0] == ExportChild.Switch)
{
    return await ExportChild.RunAsync(args);
}

if (args.Length > 0 && args[0] == UploadChild.Switch)
{
    return await UploadChild.RunAsync(args);
}

var quick = args.Contains("--quick", StringComparer.Ordinal);
int Option(string name, int fallback) =>
    Array.IndexOf(args, name) is var index and >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;

Console.WriteLine($"RoleMining.Exports benchmark: .NET {Environment.Version}, {Environment.ProcessorCount} cores, server GC {System.Runtime.GCSettings.IsServerGC}, load average {Machine.LoadAverage()}, {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC");
Console.WriteLine();

if (args.Contains("--records", StringComparer.Ordinal))
{
    await RecordWriterBenchmark.RunAsync(100_000, Option("--rounds", 3) + 2);
    return 0;
}

if (args.Contains("--wire", StringComparer.Ordinal))
{
    int? huge = args.Contains("--huge", StringComparer.Ordinal) ? (quick ? 400_000 : 4_000_000) : null;
    await WireSpeedBenchmark.RunAsync(quick ? 10_000 : 100_000, quick ? 100_000 : 1_000_000, huge, Option("--rounds", 3));
    Console.WriteLine();
    await RecordWriterBenchmark.RunAsync(100_000, Option("--rounds", 3) + 2);
    Console.WriteLine();
    Console.WriteLine($"Load average at the end: {Machine.LoadAverage()}");
    return 0;
}

// The memory run goes first, while this process holds nothing but the workflow: the in-process emulator of the
// rate-limit run would leave its heap in the working set.
await ExportMemoryBenchmark.RunAsync(quick ? 100_000 : 1_000_000);
Console.WriteLine();
await RateLimitBenchmark.RunAsync(Option("--exports", quick ? 40 : 200));
Console.WriteLine();
Console.WriteLine($"Load average at the end: {Machine.LoadAverage()}");
return 0;
