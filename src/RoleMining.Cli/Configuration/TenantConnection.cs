using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RoleMining.Cli.Hosting;
using RoleMining.Emulator;
using RoleMining.SailPoint;

namespace RoleMining.Cli.Configuration;

/// <summary>
/// The tenant a run talks to: the configured one, or, when no tenant is configured, the built-in emulator started in
/// this process (so that every command works on a fresh clone). Disposing stops the emulator.
/// </summary>
internal sealed class TenantConnection : IAsyncDisposable
{
    /// <summary>The built-in emulator's address while it has not started yet: any loopback URL passes the checks.</summary>
    private const string StandInBaseUrl = "http://127.0.0.1";

    private TenantConnection(IConfiguration configuration, EmulatorServer? emulator)
    {
        Configuration = configuration;
        Emulator = emulator;
    }

    /// <summary>The configuration, with the emulator's address and credentials when it runs.</summary>
    public IConfiguration Configuration { get; }

    /// <summary>The built-in emulator, or null when a tenant is configured.</summary>
    public EmulatorServer? Emulator { get; }

    /// <summary>
    /// Uses the configured tenant, or starts the emulator (options from the <c>Emulator</c> section) and says so, naming
    /// any variable that looks meant for the tenant but is not read (<c>SAILPOINT_BASE_URL</c>, <c>SAIL_CLIENTID</c>):
    /// a misspelt tenant must not pass for the emulator's synthetic data unremarked. <paramref name="check"/> checks the
    /// run's settings first, over the configuration as the run will see it (the emulator's address a stand-in, as it is
    /// known only once it listens): a configuration error is then all the run prints, not after a line saying that the
    /// emulator started. With a tenant configured, nothing starts before the run checks its settings itself.
    /// </summary>
    public static async Task<TenantConnection> OpenAsync(
        IConfigurationRoot configuration, CliContext context, Func<IConfiguration, Task> check, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(check);
        var console = context.Console;
        if (CliConfiguration.HasTenant(configuration))
        {
            return new TenantConnection(configuration, null);
        }

        var options = new EmulatorOptions();
        try
        {
            configuration.GetSection(EmulatorOptions.SectionName).Bind(options);
        }
        catch (InvalidOperationException exception)
        {
            throw CliException.Configuration(ConfigurationMessages.Describe(exception), exception);
        }

        await check(Connect(configuration, StandInBaseUrl, options));

        // The command owns Ctrl+C: the emulator must keep serving until the command has stopped and disposes it, rather
        // than stop on the same signal and fail the requests of steps that are winding down.
        var emulator = await EmulatorServer.StartAsync(options, services => services.AddSingleton<IHostLifetime, CommandOwnedLifetime>(), cancellationToken);
        try
        {
            var baseUrl = emulator.BaseAddress.ToString().TrimEnd('/');
            await console.Error.WriteLineAsync(
                $"No SailPoint tenant configured ({CliConfiguration.BaseUrlVariable}); using the built-in emulator at {baseUrl}.");
            if (CliConfiguration.UnreadTenantVariables(context.Environment) is [_, ..] unread)
            {
                await console.Error.WriteLineAsync(
                    $"warning: {string.Join(", ", unread)} {(unread.Count == 1 ? "is" : "are")} set but not read: the tenant's variables are "
                    + $"{CliConfiguration.BaseUrlVariable}, {CliConfiguration.ClientIdVariable} and {CliConfiguration.ClientSecretVariable} (or SailPoint__BaseUrl, SailPoint__ClientId, SailPoint__ClientSecret).");
            }

            return new TenantConnection(Connect(configuration, baseUrl, emulator.Options), emulator);
        }
        catch
        {
            await emulator.DisposeAsync();
            throw;
        }
    }

    /// <summary>The configuration with the emulator's address and credentials on top of everything else, in memory only.</summary>
    private static IConfigurationRoot Connect(IConfiguration configuration, string baseUrl, EmulatorOptions emulator) =>
        new ConfigurationBuilder()
            .AddConfiguration(configuration)
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                [CliConfiguration.BaseUrlKey] = baseUrl,
                [CliConfiguration.ClientIdKey] = emulator.ClientId,
                [CliConfiguration.ClientSecretKey] = emulator.ClientSecret,
            })
            .Build();

    /// <summary>A host lifetime that ignores console signals: the host stops when its owner stops it.</summary>
    private sealed class CommandOwnedLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Emulator is not null)
        {
            await Emulator.DisposeAsync();
        }
    }
}
