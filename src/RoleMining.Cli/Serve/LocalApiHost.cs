using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RoleMining.Api;
using RoleMining.Api.Authentication;
using RoleMining.Api.Routing;
using RoleMining.Cli.Configuration;
using RoleMining.Cli.Exports;
using RoleMining.Cli.Hosting;
using RoleMining.Cli.Logging;
using RoleMining.Cli.Serve.Security;
using RoleMining.Cli.Telemetry;
using RoleMining.Exports;
using RoleMining.SailPoint;

namespace RoleMining.Cli.Serve;

/// <summary>
/// The API on Kestrel in this process: the handlers and route table of <c>RoleMining.Api</c> (the very code the Azure
/// Functions triggers call), the SailPoint client of the run's tenant, the export workflow as the <c>export</c> command
/// registers it (<see cref="ExportSession.Services(CliContext, string?)"/>: filesystem stores, in-process queue, command-line timings) worked off
/// by <see cref="ExportRunnerService"/>, and the sweep on <c>RoleMining:Schedule</c> with the <c>RoleMining:Sweep</c>
/// selection (<see cref="ExportSweepOptions"/>) of <c>rolemining sweep</c>.
/// </summary>
internal sealed class LocalApiHost : IAsyncDisposable
{
    /// <summary>The CRON schedule of the sweep (six fields as in Azure Functions, or five).</summary>
    public const string ScheduleKey = "RoleMining:Schedule";

    /// <summary>The Functions app's spelling of <see cref="ScheduleKey"/>, also read.</summary>
    public const string FunctionsScheduleKey = "RoleMining_Schedule";

    private readonly WebApplication _app;
    private readonly ExportFolderLock _folderLock;

    private LocalApiHost(WebApplication app, ExportFolderLock folderLock, IReadOnlyList<string> addresses, string artifactRoot, SweepSchedule? schedule)
    {
        _app = app;
        _folderLock = folderLock;
        Addresses = addresses;
        ArtifactRoot = artifactRoot;
        Schedule = schedule;
    }

    /// <summary>What the host is built from besides the configuration: the command line's choices and the security they imply.</summary>
    public sealed record Setup(CliContext Context, ServeUrls Urls, ServeSecurity Security, string? OutDirectory, bool Verbose);

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
    public static async Task<LocalApiHost> StartAsync(Setup setup, IConfiguration configuration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(setup);
        ArgumentNullException.ThrowIfNull(configuration);
        var schedule = ReadSchedule(configuration);
        var app = Build(setup, configuration, schedule);
        var (_, urls, security, _, _) = setup;
        ExportFolderLock? folderLock = null;
        var listening = false;
        try
        {
            var fileSystem = app.Services.GetRequiredService<IOptions<ExportWorkflowOptions>>().Value.FileSystem;
            var artifactRoot = fileSystem.ArtifactRoot!;
            // Nothing has created the folder yet (the stores do when the host starts): a serve that never listened removes it again.
            folderLock = ExportFolderLock.Acquire(artifactRoot, "serve", fileSystem.Access, ExportFolderLock.OutermostMissingFolder(artifactRoot));
            await ExportSession.RemoveLeftoversAsync(app.Services, cancellationToken);
            var hasPublicBaseUrl = app.Services.GetRequiredService<IOptions<RoleMiningApiOptions>>().Value.PublicBaseUrl is not null;
            app.Use(next => ServeRequestRules.CheckHost(next, security, hasPublicBaseUrl));
            app.Use(ServeRequestRules.RequireJsonPosts);
            app.UseStatusCodePages();
            app.MapRoleMiningApi();

            listening = true;
            await app.StartAsync(cancellationToken);
            // Listening, it says where exports go: that folder stays, used or not.
            folderLock.Keep();
            var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];
            return new LocalApiHost(app, folderLock, addresses, artifactRoot, schedule);
        }
        catch (Exception exception) when (exception is OptionsValidationException or InvalidOperationException || (exception is IOException && listening))
        {
            folderLock?.Dispose();
            await app.DisposeAsync();

            // Kestrel reports an address in use as an IOException (one of the export folder is the folder's).
            throw exception is IOException io ? ServeUrls.ListenFailure(urls.Value, io) : ConfigurationError(exception);
        }
        catch
        {
            folderLock?.Dispose();
            await app.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Builds the host over <paramref name="configuration"/> as <see cref="StartAsync"/> does and runs its start-up checks,
    /// without starting it or touching the export folder: the settings are checked before the built-in emulator starts.
    /// </summary>
    public static async Task CheckAsync(Setup setup, IConfiguration configuration)
    {
        var app = Build(setup, configuration, ReadSchedule(configuration));
        try
        {
            app.Services.GetService<IStartupValidator>()?.Validate();
        }
        catch (Exception exception) when (exception is OptionsValidationException or InvalidOperationException)
        {
            throw ConfigurationError(exception);
        }
        finally
        {
            await app.DisposeAsync();
        }
    }

    /// <summary>A failed options validation, or a value the configuration binder could not convert (an <see cref="InvalidOperationException"/>).</summary>
    private static CliException ConfigurationError(Exception exception) => exception is OptionsValidationException validation
        ? CliException.Configuration("Configuration error: " + string.Join(" ", CliErrors.DescribeFailures(validation)), validation)
        : CliException.Configuration(ConfigurationMessages.Describe(exception), exception);

    /// <summary>The host over <paramref name="configuration"/>, built but not started.</summary>
    private static WebApplication Build(Setup setup, IConfiguration configuration, SweepSchedule? schedule)
    {
        var (context, urls, security, outDirectory, verbose) = setup;
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [],
            ContentRootPath = context.CurrentDirectory,
            EnvironmentName = Environments.Production,
        });

        // Only the run's configuration counts (environment, user secrets, --config, the emulator's connection).
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddConfiguration(configuration);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["urls"] = urls.Value });

        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(verbose ? LogLevel.Debug : LogLevel.Information);
        builder.Logging.AddFilter("Microsoft", verbose ? LogLevel.Information : LogLevel.Warning);
        builder.Logging.AddFilter("System.Net.Http", LogLevel.Warning);
        builder.Logging.AddFilter("Polly", LogLevel.Warning);
        // Its request lines print the whole URL, query included: a caller who put a key or token in the query (refused,
        // but sent) would find it in the log. The API's own log lines name the route without the query.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);

        // A host that fails to start logs the failure with a stack trace; the command reports it in one line instead.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting", verbose ? LogLevel.Information : LogLevel.None);

        // A refused request is answered with a 401 problem; a line per refusal would only bury the log.
        builder.Logging.AddFilter(typeof(ApiAuthenticator).FullName, verbose ? LogLevel.Information : LogLevel.Warning);
        builder.Logging.AddProvider(new CliLoggerProvider(context.Console.Error, verbose ? LogLevel.Debug : LogLevel.Information, stackTraces: verbose));

        var services = builder.Services;
        services.AddSailPointRoleMining(configuration.GetSection(RoleMiningClientOptions.SectionName));
        ExportSession.Services(context, outDirectory)(services, configuration);
        services.AddRoleMiningExportRunner();
        services.AddRoleMiningApi(configuration.GetSection(RoleMiningApiOptions.SectionName));
        if (security.AccessToken is { } token)
        {
            // One gate for every caller: the access token is an API key of the API's own authentication (as a hash, as
            // configured keys are), accepted in x-functions-key and, as printed at start, as 'Authorization: Bearer'.
            services.PostConfigure<RoleMiningApiOptions>(options =>
            {
                options.Authentication.ApiKeys[ServeSecurity.AccessTokenCaller] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
                options.Authentication.AcceptApiKeysAsBearerTokens = true;
            });
        }

        services.AddRoleMiningOtlpExport(configuration);
        if (schedule is not null)
        {
            services.AddRoleMiningSweepSchedule(schedule);
        }

        return builder.Build();
    }

    /// <summary>Runs until <paramref name="cancellationToken"/> is cancelled (Ctrl+C) or the host stops.</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken) => _app.WaitForShutdownAsync(cancellationToken);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
        _folderLock.Dispose();
    }

    /// <summary>The schedule of <see cref="ScheduleKey"/>; null when unset; a <see cref="CliException"/> when malformed.</summary>
    public static SweepSchedule? ReadSchedule(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);

        // The Functions app's setting is spelt RoleMining_Schedule (a timer's %...% binding takes no ':'); a value copied
        // from local.settings.json or the app's settings counts too, unless RoleMining:Schedule is set.
        // Set to nothing ('RoleMining__Schedule='), RoleMining:Schedule still wins: it switches an inherited schedule off.
        var key = configuration[ScheduleKey] is null ? FunctionsScheduleKey : ScheduleKey;
        var expression = configuration[key];
        if (string.IsNullOrWhiteSpace(expression))
        {
            return null;
        }

        return SweepSchedule.TryParse(expression, out var error)
            ?? throw CliException.Configuration($"Configuration error: {key}: {error}");
    }
}
