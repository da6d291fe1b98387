using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using RoleMining.Testing.Processes;

namespace RoleMining.Testing.FunctionsHost;

/// <summary>
/// A Functions host running an app folder (build or publish output) on a free loopback port, with authorization on and
/// file-system keys in a state folder of its own, so that the tests can call function-level routes with and without a
/// key and admin routes with the master key. Disposing stops it (host and language worker).
/// </summary>
public sealed partial class FunctionsHostServer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    private readonly BackgroundProcess _process;
    private readonly DirectoryInfo _state;

    private FunctionsHostServer(BackgroundProcess process, DirectoryInfo state, Uri baseAddress, string masterKey, string functionKey)
    {
        _process = process;
        _state = state;
        BaseAddress = baseAddress;
        MasterKey = masterKey;
        FunctionKey = functionKey;
    }

    /// <summary>The host's address, e.g. <c>http://127.0.0.1:40123/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The master key (admin routes such as <c>/admin/functions/{name}</c>).</summary>
    public string MasterKey { get; }

    /// <summary>The default function key (function-level HTTP triggers).</summary>
    public string FunctionKey { get; }

    /// <summary>The host process (the run script or <c>func</c>), for tests that stop it.</summary>
    public BackgroundProcess Process => _process;

    /// <summary>The host's console output so far, for failure messages.</summary>
    public string Log(int lines = 80) => _process.Tail(lines);

    /// <summary>
    /// Every line the host has logged to its console so far: Core Tools' output, or the console log the open-source host
    /// build writes to its state folder (<c>host.log</c>), which holds the worker's log lines as well.
    /// </summary>
    public IReadOnlyList<string> ConsoleLines()
    {
        var file = Path.Combine(_state.FullName, "host.log");
        if (!File.Exists(file))
        {
            return _process.Lines;
        }

        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        var lines = new List<string>();
        while (reader.ReadLine() is { } line)
        {
            lines.Add(line);
        }

        return lines;
    }

    /// <summary>
    /// Starts <paramref name="location"/>'s host over <paramref name="appDirectory"/> with <paramref name="settings"/> as
    /// app settings (environment variables, as App Service sets them), and waits until it serves requests.
    /// </summary>
    public static async Task<FunctionsHostServer> StartAsync(
        FunctionsHostLocation location,
        string appDirectory,
        IReadOnlyDictionary<string, string?> settings)
    {
        ArgumentNullException.ThrowIfNull(location);
        ArgumentNullException.ThrowIfNull(settings);
        var state = Directory.CreateTempSubdirectory("rolemining-functions-host-");
        var secrets = Directory.CreateDirectory(Path.Combine(state.FullName, "secrets")).FullName;
        var port = FreePort();
        var environment = new Dictionary<string, string?>(settings)
        {
            ["FUNCTIONS_WORKER_RUNTIME"] = "dotnet-isolated",
            ["AzureWebJobsSecretStorageType"] = "files",
            ["FUNCTIONS_SECRETS_PATH"] = secrets,
            ["AzureFunctionsWebHost__secretsPath"] = secrets,
        };

        var start = location.Kind == FunctionsHostKind.CoreTools
            ? ProcessRun.ProcessStart(location.Program, ["start", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--enableAuth"], appDirectory, environment)
            : ProcessRun.ProcessStart("bash", [location.Program, appDirectory, port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--state", state.FullName], appDirectory, environment);

        var process = BackgroundProcess.Start(start);
        try
        {
            var baseAddress = new Uri($"http://127.0.0.1:{port}/");
            var (masterKey, functionKey) = await WaitUntilServingAsync(process, baseAddress, secrets);
            return new FunctionsHostServer(process, state, baseAddress, masterKey, functionKey);
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    /// <summary>An HTTP client for the host with a long timeout (a loaded machine is slow).</summary>
    public HttpClient CreateClient() => new() { BaseAddress = BaseAddress, Timeout = TimeSpan.FromMinutes(2) };

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        try
        {
            _state.Delete(recursive: true);
        }
        catch (IOException)
        {
            // Logs still being written by a dying worker; the temp folder is the system's to clean.
        }
    }

    private static async Task<(string MasterKey, string FunctionKey)> WaitUntilServingAsync(BackgroundProcess process, Uri baseAddress, string secrets)
    {
        using var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        var deadline = DateTimeOffset.UtcNow + StartTimeout;
        var keysFile = Path.Combine(secrets, "host.json");
        while (DateTimeOffset.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The Functions host exited before it served requests. Last lines:\n{process.Tail(60)}");
            }

            try
            {
                // The host creates its keys on the first request that presents one, so ask with a wrong key first.
                if (!File.Exists(keysFile))
                {
                    using var probe = new HttpRequestMessage(HttpMethod.Get, "admin/host/status");
                    probe.Headers.Add("x-functions-key", "not-a-key");
                    using var _ = await http.SendAsync(probe);
                }
                else if (ReadKeys(keysFile) is { } keys)
                {
                    using var status = new HttpRequestMessage(HttpMethod.Get, "admin/host/status");
                    status.Headers.Add("x-functions-key", keys.MasterKey);
                    using var response = await http.SendAsync(status);
                    if (response.StatusCode == HttpStatusCode.OK
                        && RunningState().IsMatch(await response.Content.ReadAsStringAsync())
                        && process.Lines.Any(line => line.Contains("Worker process started and initialized", StringComparison.Ordinal)
                            || line.Contains("functions-host ready", StringComparison.Ordinal)))
                    {
                        return keys;
                    }
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Busy starting.
            }

            await Task.Delay(500);
        }

        throw new TimeoutException($"The Functions host did not start within {StartTimeout}. Last lines:\n{process.Tail(60)}");
    }

    private static (string MasterKey, string FunctionKey)? ReadKeys(string file)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(file));
            var root = document.RootElement;
            var master = root.GetProperty("masterKey").GetProperty("value").GetString();
            var function = root.GetProperty("functionKeys").EnumerateArray().First().GetProperty("value").GetString();
            return master is null || function is null ? null : (master, function);
        }
        catch (Exception exception) when (exception is IOException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return null; // Being written.
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex("\"state\"\\s*:\\s*\"Running\"", RegexOptions.IgnoreCase)]
    private static partial Regex RunningState();
}
