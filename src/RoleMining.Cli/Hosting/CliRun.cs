using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RoleMining.Cli.Configuration;
using RoleMining.Cli.Logging;
using RoleMining.Cli.Telemetry;
using RoleMining.Exports;
using RoleMining.SailPoint;

namespace RoleMining.Cli.Hosting;

/// <summary>
/// Everything one command needs, built after its arguments were accepted: configuration, the tenant (or the built-in
/// emulator), the service provider with the SailPoint client, and logging to standard error.
/// </summary>
internal sealed class CliRun : IAsyncDisposable
{
    private readonly TenantConnection _tenant;
    private readonly ServiceProvider _services;

    private CliRun(CliContext context, TenantConnection tenant, ServiceProvider services, bool verbose)
    {
        Context = context;
        _tenant = tenant;
        _services = services;
        Verbose = verbose;
        Client = services.GetRequiredService<IRoleMiningClient>();
    }

    /// <summary>Console, environment, working directory.</summary>
    public CliContext Context { get; }

    /// <summary>Standard output and error.</summary>
    public CliConsole Console => Context.Console;

    /// <summary>The final configuration (with the emulator's connection when it runs).</summary>
    public IConfiguration Configuration => _tenant.Configuration;

    /// <summary>The services of the run.</summary>
    public IServiceProvider Services => _services;

    /// <summary>The SailPoint role-mining client.</summary>
    public IRoleMiningClient Client { get; }

    /// <summary>Whether <c>--verbose</c> was given.</summary>
    public bool Verbose { get; }

    /// <summary>Reads the configuration, connects the tenant and builds the services; <paramref name="addServices"/> adds a command's own.</summary>
    public static async Task<CliRun> OpenAsync(
        CliContext context,
        string? configFile,
        bool verbose,
        Action<IServiceCollection, IConfiguration>? addServices,
        CancellationToken cancellationToken)
    {
        var configuration = CliConfiguration.Build(context, configFile);
        var tenant = await TenantConnection.OpenAsync(
            configuration,
            context,
            async connected => await (await BuildServicesAsync(context, connected, verbose, addServices)).DisposeAsync(),
            cancellationToken);
        ServiceProvider? services = null;
        try
        {
            services = await BuildServicesAsync(context, tenant.Configuration, verbose, addServices);
            CliTelemetry.StartWithoutHost(services);
            return new CliRun(context, tenant, services, verbose);
        }
        catch
        {
            if (services is not null)
            {
                await services.DisposeAsync();
            }

            await tenant.DisposeAsync();
            throw;
        }
    }

    /// <summary>The services over <paramref name="configuration"/>, checked as a host checks them at start-up (ValidateOnStart).</summary>
    private static async Task<ServiceProvider> BuildServicesAsync(
        CliContext context, IConfiguration configuration, bool verbose, Action<IServiceCollection, IConfiguration>? addServices)
    {
        var collection = new ServiceCollection();
        collection.AddSingleton(configuration);
        // Failures reach the user as the command's own one-line message; retries and other detail only with --verbose.
        var logLevel = verbose ? LogLevel.Information : LogLevel.Error;
        collection.AddLogging(logging => logging
            .SetMinimumLevel(logLevel)
            // The workflow's errors are jobs given up, which the export commands report themselves (one line per job
            // and the summary table): without --verbose, its log line would say the same a second time on the console
            // (an OpenTelemetry exporter still gets it).
            .AddFilter<CliLoggerProvider>(typeof(ExportWorkflow).FullName, verbose ? LogLevel.Information : LogLevel.None)
            .AddProvider(new CliLoggerProvider(context.Console.Error, logLevel)));
        collection.AddSailPointRoleMining(configuration.GetSection(RoleMiningClientOptions.SectionName));
        addServices?.Invoke(collection, configuration);
        collection.AddRoleMiningOtlpExport(configuration);
        var services = collection.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
        try
        {
            // Before any request is made.
            services.GetService<IStartupValidator>()?.Validate();
            return services;
        }
        catch (Exception exception)
        {
            await services.DisposeAsync();

            // The configuration binder reports values it cannot convert (e.g. a number that is not one) this way.
            if (exception is InvalidOperationException)
            {
                throw CliException.Configuration(ConfigurationMessages.Describe(exception), exception);
            }

            throw;
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await _tenant.DisposeAsync();
    }
}
