using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using RoleMining.Bench;
using RoleMining.Emulator;
using RoleMining.Functions.Configuration;
using RoleMining.Testing.Azurite;
using RoleMining.Testing.FunctionsHost;
using RoleMining.Testing.Publishing;

// Cold start of the Functions app: the app published as `azd deploy` publishes it (ReadyToRun for linux-x64) against
// the same app published with the JIT only (-p:PublishReadyToRun=false), each started under a real Functions host (func,
// ROLEMINING_FUNCTIONS_HOST or shared/functions-host) and asked for its first API answer. Interleaved rounds after a
// warm-up round; every start gets a new Azurite, so no lease or queue of an earlier host is waiting for it.
//   --rounds N   measured rounds (default 5)
const string ApiKey = "functions-bench-key";
var rounds = Array.IndexOf(args, "--rounds") is var index and >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : 5;
var location = FunctionsHostLocator.Location ?? throw new InvalidOperationException(FunctionsHostLocator.Missing);

// A configured Azurite would be shared by every start: an earlier host's lease on the SailPoint request budget would
// hold the next one's first request for up to 40 s (docs/deploy.md, "The SailPoint request budget").
Environment.SetEnvironmentVariable(AzuriteServer.ConnectionStringVariable, null);

if (RuntimeInformation.RuntimeIdentifier != "linux-x64")
{
    // The runtime uses ReadyToRun code only on the platform it was compiled for.
    Console.WriteLine($"This machine is {RuntimeInformation.RuntimeIdentifier}: the linux-x64 ReadyToRun code is not used, so both variants run on the JIT.");
}

Console.WriteLine($"RoleMining.Functions cold-start benchmark: .NET {Environment.Version}, {Environment.ProcessorCount} cores, host {location.Kind} ({location.Program}), load average {Machine.LoadAverage()}, {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC");
var root = Directory.CreateTempSubdirectory("rolemining-functions-bench-");
try
{
    var variants = new List<(string Name, string Directory)>();
    foreach (var (name, folder, properties) in new[]
    {
        ("ReadyToRun (as published)", "ready-to-run", Array.Empty<string>()),
        ("JIT only", "jit", ["-p:PublishReadyToRun=false"]),
    })
    {
        var output = Path.Combine(root.FullName, folder);
        var clock = Stopwatch.StartNew();
        var publish = await FunctionsAppPublisher.PublishAsync(output, properties);
        if (publish.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet publish ({name}) failed ({publish.ExitCode}):\n{publish.Output}");
        }

        var size = new DirectoryInfo(output).EnumerateFiles("*", SearchOption.AllDirectories).Sum(file => file.Length);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Published {name}: {size / (1024.0 * 1024.0):0.0} MB in {clock.Elapsed.TotalSeconds:0} s"));
        variants.Add((name, output));
    }

    await using var emulator = await EmulatorServer.StartAsync(new EmulatorOptions { ClientId = "functions-bench", ClientSecret = "functions-bench-secret" });
    var results = new List<(int Round, string Variant, double Ready, double First, double Second)>();
    for (var round = 0; round <= rounds; round++)
    {
        // Round 0 warms the page cache (the host's and the app's files) and is not counted.
        foreach (var (name, directory) in round % 2 == 0 ? variants : Enumerable.Reverse(variants))
        {
            await using var azurite = await AzuriteServer.StartAsync();
            var load = Machine.LoadAverage();
            var clock = Stopwatch.StartNew();
            await using var host = await FunctionsHostServer.StartAsync(location, directory, Settings(azurite, emulator));
            var ready = clock.Elapsed.TotalSeconds;
            using var http = host.CreateClient();
            http.DefaultRequestHeaders.Add("x-functions-key", ApiKey);
            var first = await TimeRequestAsync(http);
            var second = await TimeRequestAsync(http);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {(round == 0 ? "warm-up" : $"round {round}"),-8} {name,-26} host ready {ready,6:0.00} s  first request {first,6:0.000} s  second {second,6:0.000} s  load {load}"));
            if (round > 0)
            {
                results.Add((round, name, ready, first, second));
            }
        }
    }

    Console.WriteLine();
    Console.WriteLine($"{"variant",-26} {"ready min",9} {"ready med",9} {"first min",9} {"first med",9} {"both med",9} {"vs JIT",7}");
    var baseline = Both(results.Where(result => result.Variant == variants[^1].Name).ToList());
    foreach (var (name, _) in variants)
    {
        var runs = results.Where(result => result.Variant == name).ToList();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name,-26} {runs.Min(run => run.Ready),9:0.00} {Machine.Median(runs.Select(run => run.Ready)),9:0.00} {runs.Min(run => run.First),9:0.000} {Machine.Median(runs.Select(run => run.First)),9:0.000} {Both(runs),9:0.00} {Both(runs) / baseline,7:0.00}"));
    }

    Console.WriteLine("ready = from starting the host until it serves requests (the host's own start, the worker's start and its function index);");
    Console.WriteLine("first = the first GET /api/sessions (the app's first request: authentication, the SailPoint client's token and call);");
    Console.WriteLine($"both med = median of ready + first per start; vs JIT = against the JIT-only publish of the same run. Load average at the end: {Machine.LoadAverage()}");
}
finally
{
    root.Delete(recursive: true);
}

static double Both(IReadOnlyCollection<(int Round, string Variant, double Ready, double First, double Second)> runs) =>
    Machine.Median(runs.Select(run => run.Ready + run.First));

static async Task<double> TimeRequestAsync(HttpClient http)
{
    var clock = Stopwatch.StartNew();
    using var response = await http.GetAsync(new Uri("api/sessions", UriKind.Relative));
    await response.Content.ReadAsByteArrayAsync();
    var elapsed = clock.Elapsed.TotalSeconds;
    if (response.StatusCode != HttpStatusCode.OK)
    {
        throw new InvalidOperationException($"GET /api/sessions answered {(int)response.StatusCode}.");
    }

    return elapsed;
}

static Dictionary<string, string?> Settings(AzuriteServer azurite, EmulatorServer emulator) =>
    FunctionsAppSettings.Create(azurite.ConnectionString, emulator.BaseAddress, emulator.Options.ClientId, emulator.Options.ClientSecret, FunctionsSettings.DefaultResumeSchedule, "Bench", ApiKey);
