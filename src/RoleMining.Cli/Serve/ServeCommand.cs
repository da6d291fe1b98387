using System.CommandLine;
using Microsoft.Extensions.Configuration;
using RoleMining.Api;
using RoleMining.Cli.Commands;
using RoleMining.Cli.Configuration;
using RoleMining.Cli.Hosting;
using RoleMining.Cli.Serve.Security;

namespace RoleMining.Cli.Serve;

/// <summary>
/// <c>rolemining serve [--urls URLS] [--out DIR]</c>: the HTTP API of the Azure Functions app, on this machine, until
/// Ctrl+C. The same handlers and routes, with the export workflow in this process (filesystem stores under <c>--out</c>,
/// the in-process queue), the sweep on <c>RoleMining:Schedule</c> when it is set, and the built-in emulator when no tenant
/// is configured.
/// </summary>
internal static class ServeCommand
{
    /// <summary>Where the API listens by default: this machine only, where no access token is needed.</summary>
    public const string DefaultUrl = "http://127.0.0.1:5090";

    public static Command Create(CommandExecution execution)
    {
        ArgumentNullException.ThrowIfNull(execution);
        var urls = new Option<string>("--urls")
        {
            Description = $"Where to listen (semicolon-separated URLs). Default {DefaultUrl}. Bound beyond 127.0.0.1, every request needs the access token printed at start (or RoleMining:Serve:AccessToken).",
            HelpName = "URLS",
            DefaultValueFactory = _ => DefaultUrl,
        };
        var outDirectory = ExportCommand.OutDirectory(withBlobContainer: false);
        var command = new Command(
            "serve",
            "Serve the RoleMining HTTP API (the routes of the Azure Functions app under /api) on this machine until Ctrl+C, with exports "
            + "run in this process into --out, the export sweep on the CRON schedule RoleMining:Schedule (e.g. \"0 0 2 * * *\", UTC) when set, "
            + "and the built-in emulator when no tenant is configured.")
        {
            urls,
            outDirectory,
        };
        command.SetAction((parseResult, cancellationToken) =>
        {
            var outValue = parseResult.GetValue(outDirectory);
            return execution.RunStandaloneAsync(
                parseResult,
                token =>
                {
                    ExportCommand.RequireUsableDirectory(execution.Context, outValue);
                    return RunAsync(execution, parseResult, ServeUrls.Parse(parseResult.GetValue(urls)!), outValue, token);
                },
                cancellationToken);
        });
        return command;
    }

    private static async Task<int> RunAsync(CommandExecution execution, ParseResult parseResult, ServeUrls urls, string? outDirectory, CancellationToken cancellationToken)
    {
        var context = execution.Context;
        var verbose = parseResult.GetValue(execution.Options.Verbose);
        var configuration = CliConfiguration.Build(context, parseResult.GetValue(execution.Options.Config));

        // A bad schedule or serve setting is a configuration error before anything starts (the built-in emulator included).
        LocalApiHost.ReadSchedule(configuration);
        var security = ServeSecurity.For(urls, ReadSettings(configuration), ReadPublicBaseUrl(configuration));
        var setup = new LocalApiHost.Setup(context, urls, security, outDirectory, verbose);
        await using var tenant = await TenantConnection.OpenAsync(configuration, context, connected => LocalApiHost.CheckAsync(setup, connected), cancellationToken);
        await using var host = await LocalApiHost.StartAsync(setup, tenant.Configuration, cancellationToken);

        if (security.TokenGenerated)
        {
            // Shown once, to the person who started the server: it is how they (and their scripts) get in.
            await context.Console.Output.WriteLineAsync(
                $"Listening beyond this machine: requests need the access token: {security.AccessToken} (as 'Authorization: Bearer <token>' or 'x-functions-key: <token>'; set RoleMining:Serve:AccessToken to keep one).");
        }

        var schedule = host.Schedule is { } cron ? $"sweep on '{cron.Expression}' (UTC)" : "no scheduled sweep (set RoleMining:Schedule)";
        await context.Console.Output.WriteLineAsync(
            $"RoleMining API listening on {string.Join(", ", host.Addresses.Select(address => address.TrimEnd('/') + "/api"))}; exports in {host.ArtifactRoot}; {schedule}. Press Ctrl+C to stop.");

        // Ctrl+C or SIGTERM is how a foreground server is meant to stop: it ends the command normally, with exit code 0.
        await host.WaitForShutdownAsync(cancellationToken);
        // The built-in emulator forgets its exports when it stops, so a job it had begun cannot be continued.
        await context.Console.Output.WriteLineAsync(tenant.Emulator is null
            ? "Stopped. Unfinished exports resume at the next start."
            : "Stopped. Unfinished exports resume at the next start; those the built-in emulator had begun then fail (it forgets its exports) and need a new request.");
        return ExitCodes.Success;
    }

    private static ServeSettings ReadSettings(IConfiguration configuration)
    {
        var settings = new ServeSettings();
        try
        {
            configuration.GetSection(ServeSettings.SectionName).Bind(settings);
            return settings;
        }
        catch (InvalidOperationException exception)
        {
            throw CliException.Configuration(ConfigurationMessages.Describe(exception), exception);
        }
    }

    private static Uri? ReadPublicBaseUrl(IConfiguration configuration) =>
        Uri.TryCreate(configuration[RoleMiningApiOptions.SectionName + ":" + nameof(RoleMiningApiOptions.PublicBaseUrl)], UriKind.Absolute, out var url) ? url : null;
}
