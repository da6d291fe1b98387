using Microsoft.Extensions.Options;
using RoleMining.Emulator.Auth;
using RoleMining.Emulator.RateLimiting;

namespace RoleMining.Emulator;

/// <summary>
/// The emulator running in-process on <c>http://127.0.0.1:{free port}/</c>, for tests and benchmarks. Only the
/// given options count (no appsettings, environment or command line), and nothing is logged unless
/// <c>configureServices</c> adds a logger provider.
/// </summary>
public sealed class EmulatorServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private EmulatorServer(WebApplication app, Uri baseAddress, EmulatorOptions options)
    {
        _app = app;
        BaseAddress = baseAddress;
        Options = options;
        Statistics = app.Services.GetRequiredService<EmulatorStatistics>();
        Tenant = app.Services.GetRequiredService<EmulatorTenant>();
    }

    /// <summary><c>http://127.0.0.1:PORT/</c>; API paths are relative to it, e.g. <c>v2024/role-mining-sessions</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The options the server started with. Its nested objects are the server's own, so changes to
    /// <see cref="Faults"/> apply to the next request.</summary>
    public EmulatorOptions Options { get; }

    /// <summary>Counters of requests, responses, tokens and exports.</summary>
    public EmulatorStatistics Statistics { get; }

    /// <summary>Read access to the synthetic data, for cross-checks.</summary>
    public EmulatorTenant Tenant { get; }

    /// <summary>The live fault settings.</summary>
    public EmulatorFaultOptions Faults => Options.Faults;

    /// <summary>The server's services (e.g. the <see cref="TimeProvider"/> it uses).</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>Starts a server; returns once it accepts connections.</summary>
    public static Task<EmulatorServer> StartAsync(EmulatorOptions? options = null, CancellationToken cancellationToken = default) =>
        StartAsync(options, configureServices: null, cancellationToken);

    /// <summary>Starts a server whose services <paramref name="configureServices"/> may add to or replace (e.g. a fake
    /// <see cref="TimeProvider"/>, or a logger provider). Throws <see cref="OptionsValidationException"/> for invalid options.</summary>
    public static async Task<EmulatorServer> StartAsync(EmulatorOptions? options, Action<IServiceCollection>? configureServices, CancellationToken cancellationToken = default)
    {
        options ??= new EmulatorOptions();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [],
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = Environments.Production,
        });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection();
        builder.Logging.ClearProviders();
        EmulatorApplication.ConfigureLogging(builder.Logging);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddRoleMiningEmulator(options.CopyTo);
        configureServices?.Invoke(builder.Services);
        var app = builder.Build();
        try
        {
            EmulatorApplication.Configure(app);
            await app.StartAsync(cancellationToken);
            var baseAddress = EmulatorApplication.BaseAddressOf(app) ?? throw new InvalidOperationException("The emulator has no listening address.");
            return new EmulatorServer(app, baseAddress, options);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    /// <summary>Forgets the rate limit's counts of every client id, so that the next request starts a new window (fixed
    /// windows are aligned to the first request after this), as on a freshly started server; a benchmark calls it
    /// between a warm-up and the measured run, beside <see cref="EmulatorStatistics.Reset"/>.</summary>
    public void ResetRateLimits() => _app.Services.GetRequiredService<ClientRateLimiter>().Reset();

    /// <summary>Every token issued so far becomes invalid (401) from now on.</summary>
    public void RevokeAllTokens() => _app.Services.GetRequiredService<TokenStore>().RevokeAll();

    /// <summary>Stops the server and releases its port.</summary>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
