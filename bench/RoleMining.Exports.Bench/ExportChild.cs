using System.Globalization;
using Azure.Storage.Blobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RoleMining.Bench;
using RoleMining.Exports.AzureBlob;
using RoleMining.Functions.Configuration;
using RoleMining.SailPoint;

namespace RoleMining.Exports.Bench;

/// <summary>
/// The export workflow of one potential role in a process of its own, as <c>rolemining export</c> runs it (filesystem
/// job store, in-process queue, real client), with the artifacts in the filesystem store or in Azure Blob Storage
/// (<see cref="BlobExportArtifactStore"/> against the Azurite that <see cref="AzuriteVariable"/> names). Prints the
/// zip's size; fails unless the job succeeded with every identity counted.
/// </summary>
internal static class ExportChild
{
    public const string Switch = "--export-child";

    public const string AzuriteVariable = "ROLEMINING_AZURITE_CONNECTION_STRING";

    /// <summary>args: --export-child filesystem|blob baseUrl clientId clientSecret sessionId potentialRoleId identities root</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        using var allocations = Environment.GetEnvironmentVariable("ROLEMINING_BENCH_ALLOCATIONS") == "1" ? new AllocationProfile() : null;
        var (store, baseUrl, clientId, clientSecret, sessionId, roleId, root) = (args[1], new Uri(args[2]), args[3], args[4], args[5], args[6], args[8]);
        // The expected count comes from the caller: asking the service would load the role's summary, which lists every
        // identity id (tens of megabytes for a million), into this process and its memory figures.
        var identities = long.Parse(args[7], CultureInfo.InvariantCulture);
        var services = new ServiceCollection();
        // ROLEMINING_BENCH_LOG=Information shows each step with its time, to see where the wall time goes.
        var level = Enum.TryParse<LogLevel>(Environment.GetEnvironmentVariable("ROLEMINING_BENCH_LOG"), out var configured) ? configured : LogLevel.Warning;
        services.AddLogging(logging => logging.AddSimpleConsole(console => console.TimestampFormat = "HH:mm:ss.fff ").SetMinimumLevel(level));
        services.AddSailPointRoleMining(options =>
        {
            options.BaseUrl = baseUrl;
            options.ClientId = clientId;
            options.ClientSecret = clientSecret;
        });
        if (store == "blob")
        {
            var connection = Environment.GetEnvironmentVariable(AzuriteVariable) ?? throw new InvalidOperationException($"{AzuriteVariable} is not set.");
            // ROLEMINING_BENCH_BLOCK_KB and ROLEMINING_BENCH_UPLOADS try other block sizes and uploads in flight.
            var blockKb = int.TryParse(Environment.GetEnvironmentVariable("ROLEMINING_BENCH_BLOCK_KB"), CultureInfo.InvariantCulture, out var kb) ? kb : BlobExportArtifactStore.BlockSize / 1024;
            var uploads = int.TryParse(Environment.GetEnvironmentVariable("ROLEMINING_BENCH_UPLOADS"), CultureInfo.InvariantCulture, out var count) ? count : BlobExportArtifactStore.MaxConcurrentUploads;
            services.AddSingleton<IExportArtifactStore>(new BlobExportArtifactStore(new BlobServiceClient(connection).GetBlobContainerClient(FunctionsSettings.ArtifactContainer), blockKb * 1024, uploads));
        }

        services.AddRoleMiningExports(options =>
        {
            options.FileSystem.ArtifactRoot = root;
            options.Polling.InitialDelay = TimeSpan.FromMilliseconds(50);
            options.Polling.MaxDelay = TimeSpan.FromMilliseconds(200);
        }).UseFileSystemStores().UseInProcessQueue();
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        var job = (await BenchWorkflow.ExportAsync(provider, [(sessionId, roleId)], CancellationToken.None))[0];
        var rows = job.Artifacts.Single(artifact => artifact.Name == "identities.csv").RowCount;
        if (rows != identities)
        {
            await Console.Error.WriteLineAsync($"identities.csv has {rows} rows; the role has {identities} identities.");
            return 1;
        }

        var zip = job.Artifacts.Single(artifact => artifact.Name == ExportArtifactLayout.ZipFileName);
        var memory = GC.GetGCMemoryInfo(GCKind.Any);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"zip={zip.Size} rows={rows} store={store} allocated={GC.GetTotalAllocatedBytes() >> 20}MB gc0={GC.CollectionCount(0)} gc1={GC.CollectionCount(1)} gc2={GC.CollectionCount(2)} heap={memory.HeapSizeBytes >> 20}MB committed={memory.TotalCommittedBytes >> 20}MB"));
        allocations?.Print(Console.Out);
        return 0;
    }
}
