using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Storage.Blobs;
using Microsoft.Extensions.DependencyInjection;
using RoleMining.Bench;
using RoleMining.Functions.Configuration;
using RoleMining.SailPoint;
using RoleMining.SailPoint.Models;
using RoleMining.Testing.Publishing;

namespace RoleMining.Exports.Bench;

/// <summary>
/// One export against the plain tools that do the same work: <c>curl -o</c> (download only), <c>curl -o</c> then
/// <c>unzip</c> (download, inflate, CRC check, write the files), and the whole export workflow in its own process
/// (<see cref="ExportChild"/>: start, poll, download with SHA-256, zip verification, unpacking, row count, manifest) to
/// the filesystem store and to Azurite blobs. Each contender is a child process measured by GNU time (wall, user + sys
/// CPU, and %M: the peak RSS of the largest single process of the tree), so process start-up counts for every contender
/// alike. Rounds are interleaved (the order of contenders rotates each round) after one warm-up round, so the machine's
/// load falls on all of them.
/// </summary>
internal static class WireSpeedBenchmark
{
    private const string ClientId = "bench-wire";
    private const string ClientSecret = "bench-wire-secret";
    private const int ExtraAttributes = 24;
    private const int WarmUpIdentities = 1_000;

    /// <summary>The baseline of every ratio: download, then inflate, CRC check and write the files.</summary>
    private const string CurlUnzip = "curl -o + unzip";

    /// <summary>The blob rows' reference: the plain tools, then the SDK's parallel upload of the zip and the CSV files.</summary>
    private const string CurlUnzipUpload = "curl+unzip+SDK upload";

    private const string NativeCli = "rolemining (native AOT)";

    /// <summary>The same executable with <c>--blob-container</c>: the product's path from the socket to Azure Blob Storage.</summary>
    private const string NativeCliBlobs = "native AOT to Azurite";

    private const string HugeSize = "huge";

    /// <param name="smallIdentities">Identities of the small export (50 MB with the 24 extra attributes).</param>
    /// <param name="largeIdentities">Identities of the large export (510 MB).</param>
    /// <param name="hugeIdentities">
    /// Identities of an optional third export (4,000,000: 2.1 GB), to see whether peak memory keeps growing past the
    /// large one. Run by the contenders that write files only: Azurite would take minutes per blob run at this size.
    /// </param>
    /// <param name="rounds">Interleaved rounds after the warm-up.</param>
    public static async Task RunAsync(int smallIdentities, int largeIdentities, int? hugeIdentities, int rounds)
    {
        var azurite = Environment.GetEnvironmentVariable(ExportChild.AzuriteVariable);
        await using var emulator = await ChildEmulator.StartAsync(
        [
            $"--Emulator:ClientId={ClientId}",
            $"--Emulator:ClientSecret={ClientSecret}",
            "--Emulator:RateLimit:Enabled=false",
            $"--Emulator:Tenant:ExtraAttributes={ExtraAttributes}",
            $"--Emulator:Tenant:AdditionalPotentialRoleIdentityCounts:0={WarmUpIdentities}",
            $"--Emulator:Tenant:AdditionalPotentialRoleIdentityCounts:1={smallIdentities}",
            $"--Emulator:Tenant:AdditionalPotentialRoleIdentityCounts:2={largeIdentities}",
            "--Emulator:Exports:Compression=NoCompression",
            "--Emulator:Exports:QueuedFor=00:00:00",
            "--Emulator:Exports:InProgressFor=00:00:00",
            "--Logging:LogLevel:Default=Warning",
            .. hugeIdentities is { } hugeCount ? [$"--Emulator:Tenant:AdditionalPotentialRoleIdentityCounts:3={hugeCount}"] : Array.Empty<string>(),
        ]);

        var directory = Directory.CreateTempSubdirectory("rolemining-wire-bench-");
        try
        {
            await using var provider = BenchWorkflow.Provider(emulator.BaseAddress, ClientId, ClientSecret, directory.FullName, _ => { });
            var client = provider.GetRequiredService<IRoleMiningClient>();
            var sizes = new List<(string Label, int Identities, (string SessionId, string PotentialRoleId) Role)>
            {
                ("small", smallIdentities, await EmulatorRoles.FindAsync(client, smallIdentities)),
                ("large", largeIdentities, await EmulatorRoles.FindAsync(client, largeIdentities)),
            };
            if (hugeIdentities is { } huge)
            {
                sizes.Add((HugeSize, huge, await EmulatorRoles.FindAsync(client, huge)));
            }

            var warmUp = await EmulatorRoles.FindAsync(client, WarmUpIdentities);
            var blobService = azurite is null ? null : new BlobServiceClient(azurite);
            var container = blobService?.GetBlobContainerClient(FunctionsSettings.ArtifactContainer);
            if (container is not null)
            {
                await container.CreateIfNotExistsAsync();
            }

            // Azurite runs on the same cores as the contenders: its CPU during each run is part of what bounds the blob rows.
            using var storage = blobService is null ? null : ServingProcesses.ListeningOn(blobService.Uri.Port);

            // The product as a user installs it: `rolemining export` published as a Native AOT executable (no JIT at start).
            var native = await PublishNativeCliAsync(directory.FullName);
            var contenders = new List<string> { "curl -o", CurlUnzip, "export to filesystem", NativeCli };
            if (container is not null)
            {
                contenders.Add(CurlUnzipUpload);
                contenders.Add("export to Azurite blobs");
                contenders.Add(NativeCliBlobs);
            }

            Console.WriteLine("== One export against curl and unzip (stored zip, 24 extra identity attributes, emulator in a child process without rate limit); each contender a child process under GNU time ==");
            if (container is null)
            {
                Console.WriteLine($"Azurite: {ExportChild.AzuriteVariable} is not set, so the blob rows are left out.");
            }
            else if (storage is null)
            {
                Console.WriteLine($"Azurite: no process of this machine is seen listening on port {blobService!.Uri.Port}, so its CPU is left out.");
            }

            using var http = new HttpClient { BaseAddress = emulator.BaseAddress };
            var context = new RunContext(emulator, client, http, directory.FullName, container, azurite, storage, native);
            // Warm-up (page cache, JIT of the emulator, Azurite's first blobs); also shows what a contender costs when
            // there is next to nothing to move: for the export that is the start-up of a .NET process.
            foreach (var contender in contenders)
            {
                var measured = await RunOnceAsync(context, contender, warmUp, WarmUpIdentities);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  warm-up {WarmUpIdentities:N0} identities {contender,-24} wall {measured.Wall,6:0.00} s  cpu {measured.Cpu,6:0.00} s  peak RSS {measured.PeakRssMb,5:0} MB  load {Machine.LoadAverage()}"));
            }

            var results = new List<RunResult>();
            for (var round = 1; round <= rounds; round++)
            {
                foreach (var (label, identities, role) in sizes)
                {
                    var order = contenders.Skip(round % contenders.Count).Concat(contenders.Take(round % contenders.Count))
                        .Where(contender => label != HugeSize || !WritesBlobs(contender))
                        .ToList();
                    foreach (var contender in order)
                    {
                        var load = Machine.LoadAverage();
                        var measured = await RunOnceAsync(context, contender, role, identities);
                        var result = new RunResult(round, label, identities, contender, measured.Wall, measured.Cpu, measured.PeakRssMb, measured.ZipMb, load, measured.EmulatorCpu, measured.StorageCpu);
                        results.Add(result);
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"  round {round} {label,-5} {contender,-24} wall {result.Wall,6:0.00} s  cpu {result.Cpu,6:0.00} s  peak RSS {result.PeakRssMb,5:0} MB  zip {result.ZipMb,4:0} MB  load {load}"));
                    }
                }
            }

            PrintTable(results, contenders, sizes.Select(size => size.Label).ToList());
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static void PrintTable(List<RunResult> results, List<string> contenders, List<string> sizes)
    {
        Console.WriteLine();
        Console.WriteLine($"{"size",-6} {"contender",-24} {"zip MB",6} {"wall min",8} {"wall med",8} {"CPU min",8} {"CPU med",8} {"RSS med",8} {"wall/c+u",8} {"CPU/c+u",8} {"load med",8}");
        foreach (var (size, contender, runs, baseline) in RowsOf(results, contenders, sizes))
        {
            var wall = Machine.Median(runs.Select(run => run.Wall));
            var cpu = Machine.Median(runs.Select(run => run.Cpu));
            var baseWall = Machine.Median(baseline.Select(run => run.Wall));
            var baseCpu = Machine.Median(baseline.Select(run => run.Cpu));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{size,-6} {contender,-24} {runs.Max(run => run.ZipMb),6:0} {runs.Min(run => run.Wall),8:0.00} {wall,8:0.00} {runs.Min(run => run.Cpu),8:0.00} {cpu,8:0.00} {Machine.Median(runs.Select(run => run.PeakRssMb)),8:0} {wall / baseWall,8:0.00} {cpu / baseCpu,8:0.00} {Machine.Median(runs.Select(run => double.Parse(run.Load, CultureInfo.InvariantCulture))),8:0.0}"));
        }

        PrintCoreUse(results, contenders, sizes);

        Console.WriteLine();
        foreach (var contender in contenders.Where(contender => contender.StartsWith("export", StringComparison.Ordinal) || contender is NativeCli or NativeCliBlobs))
        {
            double PeakRss(string size) => Machine.Median(results.Where(result => result.Size == size && result.Contender == contender).Select(result => result.PeakRssMb));
            var small = PeakRss(sizes[0]);
            var large = PeakRss(sizes[1]);
            var huge = sizes.Contains(HugeSize) && results.Any(result => result.Size == HugeSize && result.Contender == contender)
                ? string.Create(CultureInfo.InvariantCulture, $"; {PeakRss(HugeSize):0} MB ({HugeSize}), {PeakRss(HugeSize) / small:0.00}x the {sizes[0]}")
                : string.Empty;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Peak RSS of '{contender}': {small:0} MB ({sizes[0]}) vs {large:0} MB ({sizes[1]}): ratio {large / small:0.00} (target <= 1.05, and <= 100 MB){huge}."));
        }

        Console.WriteLine("Targets (issue 13): wall <= 1.3x and CPU <= 1.5x 'curl -o + unzip' (columns wall/c+u and CPU/c+u, medians of the same run).");
        Console.WriteLine($"'{CurlUnzipUpload}' adds the Azure SDK's parallel upload (UploadAsync, same block size and uploads in flight, block MD5s, all files at once, as the store does) of the zip and the CSV files to Azurite: the plain-tools reference for the blob row, whose wall time Azurite (one Node.js process on the same cores) bounds.");
        Console.WriteLine("CPU = user + sys of the contender's process tree; RSS = its peak resident set (GNU time %M); load = 1-minute load average at each run's start.");
    }

    /// <summary>
    /// What the machine's cores spent while each contender ran: its own CPU, the emulator's (which builds and sends the
    /// zip) and Azurite's. Their sum over the cores is the least wall time the machine allows the contender even if all
    /// of it overlapped perfectly, which shows when a row's wall time is the machine's rather than the contender's.
    /// </summary>
    private static void PrintCoreUse(List<RunResult> results, List<string> contenders, List<string> sizes)
    {
        var cores = Environment.ProcessorCount;
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"CPU seconds spent while each contender ran (medians): its own, the emulator's and Azurite's; floor = their sum / {cores} cores, the least wall time this machine allows it."));
        Console.WriteLine($"{"size",-6} {"contender",-24} {"own",8} {"emulator",8} {"Azurite",8} {"floor",8} {"floor/c+u",9} {"wall/c+u",8}");
        foreach (var (size, contender, runs, baseline) in RowsOf(results, contenders, sizes))
        {
            var baseWall = Machine.Median(baseline.Select(run => run.Wall));
            var storage = runs.All(run => run.StorageCpu is not null)
                ? Machine.Median(runs.Select(run => run.StorageCpu!.Value)).ToString("0.00", CultureInfo.InvariantCulture)
                : "n/a";
            var floor = Machine.Median(runs.Select(run => (run.Cpu + run.EmulatorCpu + (run.StorageCpu ?? 0)) / cores));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{size,-6} {contender,-24} {Machine.Median(runs.Select(run => run.Cpu)),8:0.00} {Machine.Median(runs.Select(run => run.EmulatorCpu)),8:0.00} {storage,8} {floor,8:0.00} {floor / baseWall,9:0.00} {Machine.Median(runs.Select(run => run.Wall)) / baseWall,8:0.00}"));
        }
    }

    /// <summary>
    /// The rows of a table, size by size in the contenders' order (those that ran at that size), each with the runs of
    /// the baseline (curl -o + unzip) at its size.
    /// </summary>
    private static IEnumerable<(string Size, string Contender, List<RunResult> Runs, List<RunResult> Baseline)> RowsOf(
        List<RunResult> results, List<string> contenders, List<string> sizes) =>
        from size in sizes
        let baseline = results.Where(result => result.Size == size && result.Contender == CurlUnzip).ToList()
        from contender in contenders
        let runs = results.Where(result => result.Size == size && result.Contender == contender).ToList()
        where runs.Count > 0
        select (size, contender, runs, baseline);

    private static bool WritesBlobs(string contender) => contender is CurlUnzipUpload or NativeCliBlobs || contender.Contains("blob", StringComparison.Ordinal);

    private static async Task<(double Wall, double Cpu, double PeakRssMb, double ZipMb, double EmulatorCpu, double? StorageCpu)> RunOnceAsync(RunContext context, string contender, (string SessionId, string PotentialRoleId) role, int identities)
    {
        var work = Directory.CreateDirectory(Path.Combine(context.Root, Guid.NewGuid().ToString("N")));
        try
        {
            var zip = Path.Combine(work.FullName, "export.zip");
            List<string> command;
            if (contender.StartsWith("curl", StringComparison.Ordinal))
            {
                var url = await StartExportForCurlAsync(context, role);
                var token = await TokenAsync(context.Http);
                var curl = $"curl -sS --fail -o '{zip}' -H 'Authorization: Bearer {token}' -H 'X-SailPoint-Experimental: true' '{url}'";
                var unzip = $"unzip -q -o '{zip}' -d '{work.FullName}/unzipped'";
                var upload = $"dotnet '{Path.Combine(AppContext.BaseDirectory, "RoleMining.Exports.Bench.dll")}' {UploadChild.Switch} reference/ '{zip}' '{work.FullName}'/unzipped/*.csv";
                command = contender switch
                {
                    "curl -o" => ["sh", "-c", curl],
                    CurlUnzipUpload => ["sh", "-c", $"{curl} && {unzip} && {upload}"],
                    _ => ["sh", "-c", $"{curl} && {unzip}"],
                };
            }
            else if (contender is NativeCli or NativeCliBlobs)
            {
                // The same settings as the export child: default client rate limit, polling from 50 ms up to 200 ms.
                command =
                [
                    "env", $"SAIL_BASE_URL={context.BaseAddress}", $"SAIL_CLIENT_ID={ClientId}", $"SAIL_CLIENT_SECRET={ClientSecret}",
                    "RoleMining__Exports__Polling__InitialDelay=00:00:00.050", "RoleMining__Exports__Polling__MaxDelay=00:00:00.200",
                    $"RoleMining__Exports__Blob__ConnectionString={(contender == NativeCliBlobs ? context.AzuriteConnection : string.Empty)}",
                    context.NativeCli, "export", "--session", role.SessionId, "--role", role.PotentialRoleId, "--out", Path.Combine(work.FullName, "out"),
                    .. contender == NativeCliBlobs ? ["--blob-container", context.Artifacts!.Name] : Array.Empty<string>(),
                ];
            }
            else
            {
                command =
                [
                    "dotnet", Path.Combine(AppContext.BaseDirectory, "RoleMining.Exports.Bench.dll"), ExportChild.Switch,
                    WritesBlobs(contender) ? "blob" : "filesystem",
                    context.BaseAddress.ToString(), ClientId, ClientSecret, role.SessionId, role.PotentialRoleId,
                    identities.ToString(CultureInfo.InvariantCulture), work.FullName,
                ];
            }

            var emulatorBefore = context.Emulator.ProcessorTime;
            var storageBefore = context.Storage is { } storage ? ServingProcesses.CpuOf(storage) : (TimeSpan?)null;
            var measured = await TimeAsync(command);
            var emulatorCpu = (context.Emulator.ProcessorTime - emulatorBefore).TotalSeconds;
            var storageCpu = storageBefore is { } before ? (ServingProcesses.CpuOf(context.Storage!) - before).TotalSeconds : (double?)null;
            var zipBytes = contender.StartsWith("curl", StringComparison.Ordinal) ? new FileInfo(zip).Length : measured.ReportedZipBytes;
            if (contender == NativeCli)
            {
                zipBytes = await CheckNativeExportAsync(Directory.EnumerateFiles(Path.Combine(work.FullName, "out"), "manifest.json", SearchOption.AllDirectories).Single(), identities);
            }
            else if (contender == NativeCliBlobs)
            {
                var manifest = await context.Artifacts!.GetBlobsAsync().Select(blob => blob.Name).SingleAsync(name => name.EndsWith("/manifest.json", StringComparison.Ordinal));
                var download = Path.Combine(work.FullName, "manifest.json");
                await context.Artifacts.GetBlobClient(manifest).DownloadToAsync(download);
                zipBytes = await CheckNativeExportAsync(download, identities);
            }

            if (context.Artifacts is { } container)
            {
                await foreach (var blob in container.GetBlobsAsync())
                {
                    await container.DeleteBlobIfExistsAsync(blob.Name);
                }
            }

            return (measured.Wall, measured.Cpu, measured.PeakRssKb / 1024.0, zipBytes / (1024.0 * 1024.0), emulatorCpu, storageCpu);
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    /// <summary>Runs a command under GNU time; throws unless it succeeded.</summary>
    private static async Task<(double Wall, double Cpu, long PeakRssKb, long ReportedZipBytes)> TimeAsync(IReadOnlyList<string> command)
    {
        var timing = Path.GetTempFileName();
        try
        {
            var start = new ProcessStartInfo("/usr/bin/time") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var argument in new[] { "-f", "%e %U %S %M", "-o", timing }.Concat(command))
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start) ?? throw new InvalidOperationException("GNU time did not start.");
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"'{string.Join(' ', command.Take(4))}' failed ({process.ExitCode}): {await error}{await output}");
            }

            var fields = (await File.ReadAllTextAsync(timing)).Trim().Split(' ');
            var reported = (await output).Split(' ').FirstOrDefault(part => part.StartsWith("zip=", StringComparison.Ordinal));
            return (
                double.Parse(fields[0], CultureInfo.InvariantCulture),
                double.Parse(fields[1], CultureInfo.InvariantCulture) + double.Parse(fields[2], CultureInfo.InvariantCulture),
                long.Parse(fields[3], CultureInfo.InvariantCulture),
                reported is null ? 0 : long.Parse(reported[4..], CultureInfo.InvariantCulture));
        }
        finally
        {
            File.Delete(timing);
        }
    }

    /// <summary>Starts an export and waits until its zip can be downloaded: curl gets only the download to do.</summary>
    private static async Task<Uri> StartExportForCurlAsync(RunContext context, (string SessionId, string PotentialRoleId) role)
    {
        var export = await context.Client.StartExportAsync(role.SessionId, role.PotentialRoleId, new PotentialRoleExportRequest());
        while (export.Status != PotentialRoleExportState.Success)
        {
            await Task.Delay(50);
            export = await context.Client.GetExportStatusAsync(role.SessionId, role.PotentialRoleId, export.ExportId!);
        }

        return new Uri(context.BaseAddress, $"v2025/role-mining-sessions/{role.SessionId}/potential-roles/{role.PotentialRoleId}/export-async/{export.ExportId}/download");
    }

    private static async Task<string> TokenAsync(HttpClient http)
    {
        using var response = await http.PostAsync(new Uri("oauth/token", UriKind.Relative), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = ClientId,
            ["client_secret"] = ClientSecret,
        }));
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return body.GetProperty("access_token").GetString()!;
    }

    /// <summary>Publishes the CLI as a Native AOT executable (about two minutes) and returns its path.</summary>
    private static async Task<string> PublishNativeCliAsync(string root)
    {
        Console.WriteLine("Publishing the rolemining CLI as a Native AOT executable (dotnet publish -r " + NativeCliPublisher.RuntimeIdentifier + ") ...");
        var output = Path.Combine(root, "native-cli");
        var publish = await NativeCliPublisher.PublishAsync(output, Path.Combine(root, "native-cli-artifacts"));
        if (publish.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet publish of the native CLI failed ({publish.ExitCode}):\n{publish.Output}");
        }

        return Path.Combine(output, NativeCliPublisher.ExecutableName);
    }

    /// <summary>The zip size of the native CLI's export; throws unless its manifest counts every identity.</summary>
    private static async Task<long> CheckNativeExportAsync(string manifestFile, int identities)
    {
        await using var stream = File.OpenRead(manifestFile);
        var manifest = await ExportsJson.DeserializeManifestAsync(stream, CancellationToken.None);
        var rows = manifest.Files.Single(file => file.Name == "identities.csv").RowCount;
        if (rows != identities)
        {
            throw new InvalidOperationException($"The native CLI's identities.csv has {rows} rows; the role has {identities} identities.");
        }

        return manifest.Files.Single(file => file.Name == ExportArtifactLayout.ZipFileName).Size;
    }

    private sealed record RunContext(ChildEmulator Emulator, IRoleMiningClient Client, HttpClient Http, string Root, BlobContainerClient? Artifacts, string? AzuriteConnection, Process? Storage, string NativeCli)
    {
        public Uri BaseAddress => Emulator.BaseAddress;
    }

    /// <param name="EmulatorCpu">CPU the emulator spent while the contender ran (serving the download).</param>
    /// <param name="StorageCpu">CPU Azurite spent while the contender ran; null when its process is not known.</param>
    private sealed record RunResult(int Round, string Size, int Identities, string Contender, double Wall, double Cpu, double PeakRssMb, double ZipMb, string Load, double EmulatorCpu, double? StorageCpu);
}
