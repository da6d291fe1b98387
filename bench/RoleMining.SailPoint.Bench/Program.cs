using System.Globalization;
using RoleMining.Bench;
using RoleMining.SailPoint.Bench;

// Benchmark of the SailPoint role-mining client. Prints measured figures and the baselines measured in the same run.
//   --quick      smaller sizes (a smoke run of a few seconds)
//   --rounds N   rounds of the enumeration benchmark (default 5)
var quick = args.Contains("--quick", StringComparer.Ordinal);
var roundsIndex = Array.IndexOf(args, "--rounds");
var rounds = roundsIndex >= 0 && roundsIndex + 1 < args.Length ? int.Parse(args[roundsIndex + 1], CultureInfo.InvariantCulture) : quick ? 2 : 5;

Console.WriteLine($"RoleMining.SailPoint benchmark: .NET {Environment.Version}, {Environment.ProcessorCount} cores, server GC {System.Runtime.GCSettings.IsServerGC}, load average {Machine.LoadAverage()}");
Console.WriteLine();

// The download runs first, while this process holds nothing but the client: the in-process emulator of the
// enumeration benchmark would leave its heap in the working set.
await DownloadMemoryBenchmark.RunAsync(quick ? 100_000 : 1_000_000);
Console.WriteLine();
var identityCount = quick ? 20_000 : 100_000;
var cannedPage = await IdentityEnumerationBenchmark.RunAsync(identityCount, rounds);
Console.WriteLine();
await ClientOverheadBenchmark.RunAsync(cannedPage, identityCount, rounds);
