using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RoleMining.Api;
using RoleMining.Api.LocalHosting;
using RoleMining.Api.Routing;
using RoleMining.Cli.Exports;
using RoleMining.Cli.Hosting;
using RoleMining.Cli.Logging;
using RoleMining.Cli.Telemetry;
using RoleMining.Exports;
using RoleMining.SailPoint;

namespace RoleMining.Cli.Serve;

/// <summary>
/// The API on Kestrel in this process: the handlers and route table of <c>RoleMining.Api</c> (the very code the Azure
/// Functions triggers call), the SailPoint client of the run's tenant, the export workflow as the <c>export</c> command
/// registers it (<see cref="ExportSession.Services"/>: filesystem stores, in-process queue, command-line timings) worked off
/// by <see cref="ExportRunnerService"/>, and the sweep on <c>RoleMining:Schedule</c> with the <c>RoleMining:Sweep</c>
/// selection of <c>rolemining sweep</c>.
/// </summary>
internal sealed class LocalApiHost : IAsyncDisposable
{
    /// <summary>The CRON schedule of the sweep (six fields as in Azure Functions, or five).</summary>
    public const string ScheduleKey = "RoleMining:Schedule";

    private readonly WebApplication _app;

    private LocalApiHost(WebApplication app, IReadOnlyList<string> addresses, string artifactRoot, SweepSchedule? schedule)
    {
        _app = app;
        Addresses = addresses;
        ArtifactRoot = artifactRoot;
        Schedule = schedule;
    }

    /// <summary>The addresses Kestrel listens on (<c>http://127.0.0.1:5090</c>).</summary>
    public IReadOnlyList<string> Addresses { get; }

    /// <summary>The folder of artifacts and job documents.</summary>
    public string ArtifactRoot { get; }

    /// <summary>The sweep schedule, or null when none is configured.</summary>
    public SweepSchedule? Schedule { get; }

    /// <summary>The host's services.</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>
    /// Builds and starts the host over <paramref name="configuration"/> (the run's configuration with its tenant, see
    /// <c>TenantConnection</c>). Configuration errors and an address in use are <see cref="CliException"/>s.
    /// </summary>
    public static async Task<LocalApiHost> StartAsync(
        CliContext context,
        IConfiguration configuration,
        string urls,
        string? outDirectory,
        bool verbose,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentException.ThrowIfNullOrWhiteSpace(urls);
        var schedule = ReadSchedule(configuration);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [],
            ContentRootPath = context.CurrentDirectory,
            EnvironmentName = Environments.Production,
        });

        // Only the run's configuration counts (environment, user secrets, --config, the emulator's connection).
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddConfiguration(configuration);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["urls"] = urls });

        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(verbose ? LogLevel.Debug : LogLevel.Information);
        builder.Logging.AddFilter("Microsoft", verbose ? LogLevel.Information : LogLevel.Warning);
        builder.Logging.AddFilter("System.Net.Http", LogLevel.Warning);
        builder.Logging.AddFilter("Polly", LogLevel.Warning);
        builder.Logging.AddProvider(new CliLoggerProvider(context.Console.Error, verbose ? LogLevel.Debug : LogLevel.Information));

        var services = builder.Services;
        services.AddSailPointRoleMining(configuration.GetSection(SailPointOptions.SectionName));
        ExportSession.Services(context, outDirectory)(services, configuration);
        services.AddRoleMiningExportRunner();
        services.AddRoleMiningApi(configuration.GetSection(RoleMiningApiOptions.SectionName));
        services.AddRoleMiningOtlpExport(configuration);
        if (schedule is not null)
        {
            services.AddRoleMiningSweepSchedule(schedule, _ => ReadSelection(configuration));
        }

        var app = builder.Build();
        try
        {
            app.UseStatusCodePages();
            app.MapRoleMiningApi();
            await app.StartAsync(cancellationToken);
            var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];
            var artifactRoot = app.Services.GetRequiredService<IOptions<ExportWorkflowOptions>>().Value.FileSystem.ArtifactRoot!;
            return new LocalApiHost(app, addresses, artifactRoot, schedule);
        }
        catch (Exception exception) when (exception is OptionsValidationException or IOException or InvalidOperationException)
        {
            await app.DisposeAsync();
            throw exception switch
            {
                OptionsValidationException validation => CliException.Configuration("Configuration error: " + string.Join(" ", validation.Failures), validation),

                // Kestrel reports an address in use this way.
                IOException io => CliException.Configuration($"Cannot listen on {urls}: {io.Message}", io),

                // The configuration binder reports values it cannot convert, and Kestrel a malformed URL, this way.
                _ => CliException.Configuration("Configuration error: " + exception.Message, exception),
            };
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    /// <summary>Whether <paramref name="address"/> is on this machine only.</summary>
    public static bool IsLoopback(string address)
    {
        if (!Uri.TryCreate(address, UriKind.Absolute, out var uri))
        {
            return false;
        }

        return uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
    }

    /// <summary>Runs until <paramref name="cancellationToken"/> is cancelled (Ctrl+C) or the host stops.</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken) => _app.WaitForShutdownAsync(cancellationToken);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }

    /// <summary>The schedule of <see cref="ScheduleKey"/>; null when unset; a <see cref="CliException"/> when malformed.</summary>
    public static SweepSchedule? ReadSchedule(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var expression = configuration[ScheduleKey];
        if (string.IsNullOrWhiteSpace(expression))
        {
            return null;
        }

        return SweepSchedule.TryParse(expression, out var error)
            ?? throw CliException.Configuration($"Configuration error: {ScheduleKey}: {error}");
    }

    /// <summary>The <c>RoleMining:Sweep</c> selection, bound as <c>rolemining sweep</c> binds it (<see cref="SweepSettings"/>).</summary>
    private static ExportSweepSelection ReadSelection(IConfiguration configuration)
    {
        var settings = new SweepSettings();
        configuration.GetSection(ExportSettings.SweepSection).Bind(settings);
        return settings.ToSelection(new ExportRequestOptions
        {
            MinEntitlementPopularity = settings.MinEntitlementPopularity,
            IncludeCommonAccess = settings.IncludeCommonAccess,
        });
    }
}
