using System.Globalization;
using RoleMining.Bench;
using RoleMining.Emulator;
using RoleMining.RateBudget.Bench;
using RoleMining.Testing.FunctionsHost;

// Benchmark of the SailPoint rate budget. Prints one table per part, every row measured in this run.
//   --modes fixed,sliding     the emulator's window modes (default both)
//   --instances 1,4,8,16      simulated instance counts of part (c) (default 1,4,8,16; 0 for none)
//   --roles 400               roles exported in part (c) (default 400)
//   --budgets shared,process  part (c)'s budgets: shared over Blob Storage, one per process (default both)
//   --hosts 1,4               part (c) with real Functions hosts over the published app (default 1,4 when a host is
//                             found: func, ROLEMINING_FUNCTIONS_HOST or shared/functions-host; --hosts 0 for none)
//   --exports 200             roles exported in part (b) (default 200)
//   --cold-instances          part (c)'s simulated instances take the measured jobs without a warm-up first
//   --skip-single / --skip-instances
if (args.Contains(SimulatedInstance.Argument, StringComparer.Ordinal))
{
    return await SimulatedInstance.RunAsync();
}

string? Option(string name) => Array.IndexOf(args, name) is var index and >= 0 && index + 1 < args.Length ? args[index + 1] : null;
var modes = (Option("--modes") ?? "fixed,sliding").Split(',').Select(mode => mode.Trim() switch
{
    "fixed" => EmulatorRateLimitMode.FixedWindow,
    "sliding" => EmulatorRateLimitMode.SlidingWindow,
    _ => throw new ArgumentException($"--modes: '{mode}' is not fixed or sliding."),
}).ToList();
var instanceCounts = (Option("--instances") ?? "1,4,8,16").Split(",").Select(count => int.Parse(count, CultureInfo.InvariantCulture)).Where(count => count > 0).ToList();
var budgets = (Option("--budgets") ?? "shared,process").Split(',').Select(budget => budget.Trim() switch
{
    "shared" => true,
    "process" => false,
    _ => throw new ArgumentException($"--budgets: '{budget}' is not shared or process."),
}).ToList();
var roles = int.Parse(Option("--roles") ?? "400", CultureInfo.InvariantCulture);
var hostCounts = (Option("--hosts") ?? "1,4").Split(',').Select(count => int.Parse(count, CultureInfo.InvariantCulture)).Where(count => count > 0).ToList();
var exports = int.Parse(Option("--exports") ?? "200", CultureInfo.InvariantCulture);

Console.WriteLine($"RoleMining rate budget benchmark: .NET {Environment.Version}, {Environment.ProcessorCount} cores, load average {Machine.LoadAverage()}, {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC");
Console.WriteLine("Emulator: ISC's default limit, 100 requests per 10 s per client id; export clock QUEUED 200 ms, IN_PROGRESS 300 ms; workflow polling from 1 s.");
Console.WriteLine("Bound: the best schedule a client that never gets a 429 can follow: 100 requests at once, 100 more each window (requests counted at the emulator, 429s excluded).");
Console.WriteLine();

if (!args.Contains("--skip-single", StringComparer.Ordinal))
{
    Console.WriteLine("== One process: (a) enumerating one potential role, (b) exporting potential roles; previous limiter vs sliding log ==");
    Console.WriteLine(SingleProcessBenchmark.Row.Header);
    foreach (var mode in modes)
    {
        foreach (var row in await SingleProcessBenchmark.RunAsync(mode, exports))
        {
            Console.WriteLine(row.Format());
        }
    }

    Console.WriteLine($"Load average after part (a)/(b): {Machine.LoadAverage()}");
    Console.WriteLine();
}

if (!args.Contains("--skip-instances", StringComparer.Ordinal))
{
    Console.WriteLine($"== (c) N Function App instances (real Functions hosts over the published app, and simulated: a process each with the app's services and queue functions) exporting {roles} roles through one Azurite, one emulator, one client id ==");
    var host = hostCounts.Count > 0 ? FunctionsHostLocator.Location : null;
    if (hostCounts.Count > 0 && host is null)
    {
        Console.WriteLine($"No rows with real hosts: {FunctionsHostLocator.Missing}");
    }

    var publishedApp = host is null ? null : await InstancesBenchmark.PublishAppAsync();
    var rows = new List<InstancesBenchmark.Row>();
    foreach (var mode in modes)
    {
        rows.AddRange(await InstancesBenchmark.RunAsync(mode, instanceCounts, budgets, roles, hostCounts, host, publishedApp, args.Contains("--cold-instances", StringComparer.Ordinal)));
    }

    Console.WriteLine(InstancesBenchmark.Row.Header);
    rows.ForEach(row => Console.WriteLine(row.Format()));
    Console.WriteLine("store ops/request: blob reads and conditional writes of the shared budget per SailPoint API request (counted in the simulated instances only); writes: successful conditional writes; 412s: writes that lost to another instance.");
    Console.WriteLine($"wall: from the first SailPoint request to the last job's end, the {roles} jobs queued before any instance took one.");
}

Console.WriteLine();
Console.WriteLine($"Load average at the end: {Machine.LoadAverage()}");
return 0;
