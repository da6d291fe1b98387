using System.Text.RegularExpressions;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using RoleMining.Testing.Processes;

namespace RoleMining.Testing.Azurite;

/// <summary>
/// An Azurite (Azure Storage emulator) for tests: the one ROLEMINING_AZURITE_CONNECTION_STRING names, or a new one
/// started from the copy the build installed (RoleMining.Testing.csproj, npm ci) on free loopback ports, in memory, with
/// <c>--skipApiVersionCheck</c> (the Azure.Storage clients send a newer service version than Azurite knows). A started
/// one stops on dispose.
/// </summary>
public sealed partial class AzuriteServer : IAsyncDisposable
{
    /// <summary>The variable that names a running Azurite instead of starting one.</summary>
    public const string ConnectionStringVariable = "ROLEMINING_AZURITE_CONNECTION_STRING";

    // Azurite's well-known development account (documented by Microsoft for the emulator; not a secret).
    private const string AccountName = "devstoreaccount1";
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly BackgroundProcess? _process;
    private readonly DirectoryInfo? _location;

    private AzuriteServer(string connectionString, BackgroundProcess? process, DirectoryInfo? location)
    {
        ConnectionString = connectionString;
        _process = process;
        _location = location;
    }

    /// <summary>The connection string of its blob, queue and table endpoints.</summary>
    public string ConnectionString { get; }

    /// <summary>Whether this instance started Azurite (false: it uses the configured one).</summary>
    public bool Started => _process is not null;

    /// <summary>A Blob service client.</summary>
    public BlobServiceClient Blobs() => new(ConnectionString);

    /// <summary>A Queue service client that encodes like the app and the Functions host (Base64).</summary>
    public QueueServiceClient Queues() =>
        new(ConnectionString, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });

    /// <summary>A Queue service client that sends and receives message text as it is on the wire.</summary>
    public QueueServiceClient RawQueues() => new(ConnectionString);

    /// <summary>Uses the configured Azurite, or starts one.</summary>
    public static async Task<AzuriteServer> StartAsync()
    {
        if (Environment.GetEnvironmentVariable(ConnectionStringVariable) is { Length: > 0 } configured)
        {
            return new AzuriteServer(configured, process: null, location: null);
        }

        var program = InstalledProgram();
        var location = Directory.CreateTempSubdirectory("rolemining-azurite-");
        var start = ProcessRun.ProcessStart(
            program,
            [
                // In memory, and started in a folder of its own for anything it still writes: nothing is left behind.
                "--silent", "--skipApiVersionCheck", "--loose", "--inMemoryPersistence", "--disableTelemetry",
                "--blobHost", "127.0.0.1", "--blobPort", "0",
                "--queueHost", "127.0.0.1", "--queuePort", "0",
                "--tableHost", "127.0.0.1", "--tablePort", "0",
            ],
            location.FullName);
        var process = BackgroundProcess.Start(start);
        try
        {
            // Port 0: the system picks free ports and Azurite prints them, so parallel test runs never collide.
            var timeout = TimeSpan.FromSeconds(60);
            var blob = await process.WaitForLineAsync(ListeningLine("Blob"), timeout);
            var queue = await process.WaitForLineAsync(ListeningLine("Queue"), timeout);
            var table = await process.WaitForLineAsync(ListeningLine("Table"), timeout);
            var connectionString =
                $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};" +
                $"BlobEndpoint={blob.Groups["url"].Value}/{AccountName};" +
                $"QueueEndpoint={queue.Groups["url"].Value}/{AccountName};" +
                $"TableEndpoint={table.Groups["url"].Value}/{AccountName};";
            return new AzuriteServer(connectionString, process, location);
        }
        catch
        {
            await process.DisposeAsync();
            location.Delete(recursive: true);
            throw;
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }

        try
        {
            _location?.Delete(recursive: true);
        }
        catch (IOException)
        {
            // Azurite's workspace in the temp folder; left to the system when something still holds it.
        }
    }

    private static string InstalledProgram()
    {
        var folder = RepositoryPaths.BuildValue("AzuriteInstallDirectory")
            ?? throw new InvalidOperationException("RoleMining.Testing was built without its Azurite install folder.");
        var program = Path.Combine(folder, "node_modules", ".bin", OperatingSystem.IsWindows() ? "azurite.cmd" : "azurite");
        return File.Exists(program)
            ? program
            : throw new InvalidOperationException(
                $"Azurite is not installed at {program}. Build tests/RoleMining.Testing (it runs npm ci), or set " +
                $"{ConnectionStringVariable} to a running Azurite.");
    }

    private static Regex ListeningLine(string service) => service switch
    {
        "Blob" => BlobListening(),
        "Queue" => QueueListening(),
        _ => TableListening(),
    };

    [GeneratedRegex(@"Blob service is successfully listening at (?<url>http://[^\s/]+)")]
    private static partial Regex BlobListening();

    [GeneratedRegex(@"Queue service is successfully listening at (?<url>http://[^\s/]+)")]
    private static partial Regex QueueListening();

    [GeneratedRegex(@"Table service is successfully listening at (?<url>http://[^\s/]+)")]
    private static partial Regex TableListening();
}
