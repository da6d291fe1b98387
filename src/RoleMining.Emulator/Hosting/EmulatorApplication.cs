using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using RoleMining.Emulator.Diagnostics;

namespace RoleMining.Emulator;

/// <summary>Builds the emulator as a stand-alone web application: the same app that <c>Program</c>, the CLI's
/// <c>rolemining emulator</c> command and <see cref="EmulatorServer"/> host.</summary>
public static class EmulatorApplication
{
    /// <summary>Builds the app from command-line arguments (<c>--urls</c>, <c>--Emulator:...</c> keys and the friendly
    /// switches of <see cref="CommandLineSwitches"/>), <c>appsettings.json</c> and <c>Emulator__...</c> environment variables.</summary>
    public static WebApplication Build(string[] args) => Build(args, configureServices: null);

    /// <summary>As <see cref="Build(string[])"/>, letting the caller add or replace services (e.g. a <see cref="TimeProvider"/>).</summary>
    public static WebApplication Build(string[] args, Action<IServiceCollection>? configureServices)
    {
        ArgumentNullException.ThrowIfNull(args);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = CommandLineSwitches.Translate(args),
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.TimestampFormat = "HH:mm:ss.fff ";
        });
        ConfigureLogging(builder.Logging);
        builder.Services.AddRoleMiningEmulator(builder.Configuration);
        configureServices?.Invoke(builder.Services);
        var app = builder.Build();
        Configure(app);
        return app;
    }

    /// <summary>ASP.NET Core's own request logs include query strings, where the token endpoint may carry a client
    /// secret: they stay off. The emulator logs each request itself, without query string or token. The host's failure
    /// to start (a port in use) is logged with its stack trace before it is thrown; the programs say it in one line, so
    /// that category keeps only Critical (a background service stopping the host).</summary>
    internal static void ConfigureLogging(ILoggingBuilder logging)
    {
        logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
        logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
    }

    internal static void Configure(WebApplication app)
    {
        app.UseRoleMiningEmulator();
        app.MapRoleMiningEmulator();
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("RoleMining.Emulator");
            var clientId = app.Services.GetRequiredService<IOptions<EmulatorOptions>>().Value.ClientId;
            Log.Listening(logger, BaseAddressOf(app)?.ToString() ?? "(unknown address)", clientId);
        });
    }

    /// <summary>The first address the server listens on, with a trailing slash.</summary>
    internal static Uri? BaseAddressOf(WebApplication app)
    {
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        return address is null ? null : new Uri(address.EndsWith('/') ? address : address + "/");
    }
}
