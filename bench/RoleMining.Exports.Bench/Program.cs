using System.Globalization;
using RoleMining.Bench;
using RoleMining.Exports.Bench;

// Benchmark of the export workflow (src/RoleMining.Exports) with the real client against the emulator. Prints measured
// figures next to bounds and baselines measured in the same run.
//   --quick        40 exports, and a 50 MB export (against 5 MB) instead of 500 MB (against 50 MB)
//   --exports N    exports of the rate-limit run (default 200)
var quick = args.Contains("--quick", StringComparer.Ordinal);
var exportsIndex = Array.IndexOf(args, "--exports");
var exportCount = exportsIndex >= 0 && exportsIndex + 1 < args.Length ? int.Parse(args[exportsIndex + 1], CultureInfo.InvariantCulture) : quick ? 40 : 200;

Console.WriteLine($"RoleMining.Exports benchmark: .NET {Environment.Version}, {Environment.ProcessorCount} cores, server GC {System.Runtime.GCSettings.IsServerGC}, load average {Machine.LoadAverage()}, {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC");
Console.WriteLine();

// The memory run goes first, while this process holds nothing but the workflow: the in-process emulator of the
// rate-limit run would leave its heap in the working set.
await ExportMemoryBenchmark.RunAsync(quick ? 100_000 : 1_000_000);
Console.WriteLine();
await RateLimitBenchmark.RunAsync(exportCount);
Console.WriteLine();
Console.WriteLine($"Load average at the end: {Machine.LoadAverage()}");
