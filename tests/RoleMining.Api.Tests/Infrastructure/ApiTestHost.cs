using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using RoleMining.Api;
using RoleMining.Api.Routing;
using RoleMining.Emulator;
using RoleMining.Exports;
using RoleMining.SailPoint;

namespace RoleMining.Api.Tests.Infrastructure;

/// <summary>
/// The API on Kestrel at <c>http://127.0.0.1:{free port}</c>, over the real SailPoint client, the real export workflow
/// (filesystem stores in a temporary folder, the in-process queue worked off by <see cref="InProcessExportRunner"/> while the
/// host runs) and a real emulator: the wiring of <c>rolemining serve</c>, with short timings.
/// </summary>
internal sealed class ApiTestHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly CancellationTokenSource _stopRunner = new();
    private readonly Task _runner;

    private ApiTestHost(WebApplication app, EmulatorServer emulator, string root, Uri baseAddress, FakeLogCollector logs)
    {
        _app = app;
        _runner = app.Services.GetRequiredService<InProcessExportRunner>().RunAsync(_stopRunner.Token);
        Emulator = emulator;
        Root = root;
        BaseAddress = baseAddress;
        Logs = logs;
        Client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromMinutes(2) };
    }

    public EmulatorServer Emulator { get; }

    /// <summary>The artifact root (job documents under <c>.jobs</c>).</summary>
    public string Root { get; }

    public Uri BaseAddress { get; }

    public HttpClient Client { get; }

    public FakeLogCollector Logs { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<ApiTestHost> StartAsync(
        Action<EmulatorOptions>? emulator = null,
        Action<RoleMiningClientOptions>? sailPoint = null,
        Action<IServiceCollection>? services = null,
        Action<RoleMiningApiOptions>? api = null,
        LogLevel minimumLogLevel = LogLevel.Information)
    {
        var server = await EmulatorServer.StartAsync(EmulatorOptionsFor(emulator));
        var root = Path.Combine(Path.GetTempPath(), "rolemining-api-tests", Guid.NewGuid().ToString("N"));
        WebApplication? app = null;
        try
        {
            var logs = new FakeLogCollector();
            var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
            {
                Args = [],
                ContentRootPath = AppContext.BaseDirectory,
                EnvironmentName = Environments.Production,
            });
            builder.Configuration.Sources.Clear();
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["urls"] = "http://127.0.0.1:0" });
            builder.Logging.ClearProviders();
            builder.Logging.SetMinimumLevel(minimumLogLevel);
            builder.Logging.AddProvider(new FakeLoggerProvider(logs));
            builder.Services.AddSailPointRoleMining(options =>
            {
                options.BaseUrl = server.BaseAddress;
                options.ClientId = server.Options.ClientId;
                options.ClientSecret = server.Options.ClientSecret;
                options.RateLimit.Enabled = false;
                options.Retry.MaxRetryAttempts = 2;
                options.Retry.BaseDelay = TimeSpan.FromMilliseconds(20);
                options.Retry.MaxDelay = TimeSpan.FromMilliseconds(100);
                options.Timeouts.Attempt = TimeSpan.FromSeconds(30);
                options.Timeouts.Total = TimeSpan.FromSeconds(60);
                options.CircuitBreaker.Enabled = false;
                sailPoint?.Invoke(options);
            });
            builder.Services.AddRoleMiningExports(options =>
            {
                options.FileSystem.ArtifactRoot = root;
                options.Polling.InitialDelay = TimeSpan.FromMilliseconds(100);
                options.Polling.MaxDelay = TimeSpan.FromMilliseconds(300);
                options.Polling.TotalWait = TimeSpan.FromSeconds(60);
                options.RetryBaseDelay = TimeSpan.FromMilliseconds(20);
                options.RetryMaxDelay = TimeSpan.FromMilliseconds(200);
                options.LeaseDuration = TimeSpan.FromSeconds(10);
            }).UseFileSystemStores().UseInProcessQueue();
            builder.Services.AddRoleMiningApi(options =>
            {
                options.ExportRetryAfter = TimeSpan.FromSeconds(1);
                options.MaxExportRetryAfter = TimeSpan.FromSeconds(1);
                api?.Invoke(options);
            });
            services?.Invoke(builder.Services);
            app = builder.Build();
            app.UseStatusCodePages();
            app.MapRoleMiningApi();
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            return new ApiTestHost(app, server, root, new Uri(address.TrimEnd('/') + "/"), logs);
        }
        catch
        {
            if (app is not null)
            {
                await app.DisposeAsync();
            }

            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Emulator options with their own client id, no rate limit and a short export clock.</summary>
    public static EmulatorOptions EmulatorOptionsFor(Action<EmulatorOptions>? configure)
    {
        var options = new EmulatorOptions { ClientId = "api-tests-" + Guid.NewGuid().ToString("N"), ClientSecret = "secret-" + Guid.NewGuid().ToString("N") };
        options.RateLimit.Enabled = false;
        options.Exports.QueuedFor = TimeSpan.FromMilliseconds(100);
        options.Exports.InProgressFor = TimeSpan.FromMilliseconds(200);
        configure?.Invoke(options);
        return options;
    }

    /// <summary>The first session whose potential roles exist, and its potential roles.</summary>
    public TenantSession SessionWithRoles(int minimumRoles = 1) =>
        Emulator.Tenant.Sessions.First(session => session.PotentialRoles.Count >= minimumRoles && session.State == "POTENTIAL_ROLES_CREATED");

    public static HttpRequestMessage Request(HttpMethod method, string relative, string? accept = null)
    {
        var request = new HttpRequestMessage(method, relative);
        if (accept is not null)
        {
            request.Headers.Accept.Add(MediaTypeWithQualityHeaderValue.Parse(accept));
        }

        return request;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _stopRunner.CancelAsync();
        try
        {
            await _runner;
        }
        catch (OperationCanceledException)
        {
        }

        _stopRunner.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        await Emulator.DisposeAsync();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
        catch (IOException)
        {
            // A file still open on a slow machine: the temporary folder is cleaned up by the OS eventually.
        }
    }
}
