using System.Diagnostics;
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

    /// <summary>
    /// The host's console output so far, for failure messages: the state folder's <c>host.log</c> where the shared host
    /// build writes it, else what the process printed (Core Tools).
    /// </summary>
    public string Log(int lines = 80)
    {
        var file = Path.Combine(_state.FullName, "host.log");
        if (!File.Exists(file))
        {
            return _process.Tail(lines);
        }

        try
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            var all = reader.ReadToEnd().Split('\n');
            return string.Join('\n', all.TakeLast(lines));
        }
        catch (IOException)
        {
            return _process.Tail(lines);
        }
    }

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
        var port = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var environment = new Dictionary<string, string?>(settings)
        {
            ["FUNCTIONS_WORKER_RUNTIME"] = "dotnet-isolated",
            ["AzureWebJobsSecretStorageType"] = "files",
        };

        // Keys live in files under the state folder. The host build's run script takes the folder (--state); Core Tools
        // keeps them under the temp folder (Path.GetTempPath()/secrets/functions/secrets), so its TMPDIR is the state.
        string secrets;
        ProcessStartInfo start;
        if (location.Kind == FunctionsHostKind.CoreTools)
        {
            environment["TMPDIR"] = state.FullName;
            secrets = Path.Combine(state.FullName, "secrets", "functions", "secrets");
            start = ProcessRun.ProcessStart(location.Program, ["start", "--port", port, "--enableAuth"], appDirectory, environment);
        }
        else
        {
            secrets = Path.Combine(state.FullName, "secrets");
            start = ProcessRun.ProcessStart("bash", [location.Program, appDirectory, port, "--state", state.FullName], appDirectory, environment);
        }

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

    /// <summary>
    /// Puts the host in drain mode (<c>POST /admin/host/drain</c>, what the platform does before it scales an instance in):
    /// its triggers stop taking work. Returns once nothing runs any more.
    /// </summary>
    public async Task DrainAsync(TimeSpan within)
    {
        using var http = CreateClient();
        using (var drain = await http.SendAsync(Admin(HttpMethod.Post, "admin/host/drain")))
        {
            EnsureSuccess(drain, "drain");
        }

        await WaitForAdminStateAsync(http, "admin/host/drain/status", "Completed", within);
    }

    /// <summary>
    /// Ends drain mode (<c>POST /admin/host/resume</c>, which restarts the job host) and waits until it runs again. The
    /// request itself may fail while the job host restarts under it (the shared host build answers 500 now and then);
    /// what counts is the state that follows, so it is asked again until drain mode is off.
    /// </summary>
    public async Task ResumeAsync(TimeSpan within)
    {
        using var http = CreateClient();
        var deadline = DateTimeOffset.UtcNow + within;
        var answers = new List<string>();
        while (true)
        {
            try
            {
                using var resume = await http.SendAsync(Admin(HttpMethod.Post, "admin/host/resume"));
                answers.Add($"{(int)resume.StatusCode} {await resume.Content.ReadAsStringAsync()}");
            }
            catch (HttpRequestException exception)
            {
                answers.Add(exception.Message);
            }

            var left = deadline - DateTimeOffset.UtcNow;
            try
            {
                await WaitForAdminStateAsync(http, "admin/host/drain/status", "Disabled", left < TimeSpan.FromSeconds(20) ? left : TimeSpan.FromSeconds(20));
                break;
            }
            catch (TimeoutException) when (DateTimeOffset.UtcNow < deadline)
            {
                // Still draining: the resume did not take; ask again.
            }
            catch (TimeoutException exception)
            {
                throw new TimeoutException($"The host did not resume within {within}; it answered: {string.Join(" | ", answers)}", exception);
            }
        }

        await WaitForAdminStateAsync(http, "admin/host/status", "Running", deadline - DateTimeOffset.UtcNow);
    }

    private HttpRequestMessage Admin(HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Add("x-functions-key", MasterKey);
        return request;
    }

    private void EnsureSuccess(HttpResponseMessage response, string action)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"The host refused to {action}: {(int)response.StatusCode}. Last lines:\n{Log(40)}");
        }
    }

    private async Task WaitForAdminStateAsync(HttpClient http, string path, string state, TimeSpan within)
    {
        var deadline = DateTimeOffset.UtcNow + within;
        var last = string.Empty;
        while (DateTimeOffset.UtcNow < deadline)
        {
            try
            {
                using var response = await http.SendAsync(Admin(HttpMethod.Get, path));
                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
                if (response.IsSuccessStatusCode
                    && JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement is { ValueKind: JsonValueKind.Object } body
                    && body.TryGetProperty("state", out var value)
                    && string.Equals(value.ToString(), state, StringComparison.OrdinalIgnoreCase))
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Restarting.
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"{path} did not say '{state}' within {within} (last: {last}). Last lines:\n{Log(40)}");
    }

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
