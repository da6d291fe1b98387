using System.CommandLine;
using RoleMining.Cli.Commands;
using RoleMining.Cli.Configuration;
using RoleMining.Cli.Hosting;

namespace RoleMining.Cli.Serve;

/// <summary>
/// <c>rolemining serve [--urls URLS] [--out DIR]</c>: the HTTP API of the Azure Functions app, on this machine, until
/// Ctrl+C. The same handlers and routes, with the export workflow in this process (filesystem stores under <c>--out</c>,
/// the in-process queue), the sweep on <c>RoleMining:Schedule</c> when it is set, and the built-in emulator when no tenant
/// is configured.
/// </summary>
internal static class ServeCommand
{
    /// <summary>Where the API listens by default: this machine only, since the local API has no authentication.</summary>
    public const string DefaultUrl = "http://127.0.0.1:5090";

    public static Command Create(CommandExecution execution)
    {
        ArgumentNullException.ThrowIfNull(execution);
        var urls = new Option<string>("--urls")
        {
            Description = $"Where to listen (semicolon-separated URLs). Default {DefaultUrl}. The local API has no authentication: keep it on 127.0.0.1.",
            HelpName = "URLS",
            DefaultValueFactory = _ => DefaultUrl,
        };
        var outDirectory = ExportCommand.OutDirectory();
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
                    return RunAsync(execution, parseResult, parseResult.GetValue(urls)!, outValue, token);
                },
                cancellationToken);
        });
        return command;
    }

    private static async Task<int> RunAsync(CommandExecution execution, ParseResult parseResult, string urls, string? outDirectory, CancellationToken cancellationToken)
    {
        var context = execution.Context;
        var verbose = parseResult.GetValue(execution.Options.Verbose);
        var configuration = CliConfiguration.Build(context, parseResult.GetValue(execution.Options.Config));

        // A bad schedule is a configuration error before anything starts (the built-in emulator included).
        LocalApiHost.ReadSchedule(configuration);
        await using var tenant = await TenantConnection.OpenAsync(configuration, context.Console, cancellationToken);
        await using var host = await LocalApiHost.StartAsync(context, tenant.Configuration, urls, outDirectory, verbose, cancellationToken);

        foreach (var address in host.Addresses.Where(address => !LocalApiHost.IsLoopback(address)))
        {
            await context.Console.Error.WriteLineAsync($"Warning: {address} is reachable from other machines, and the local API has no authentication.");
        }

        var schedule = host.Schedule is { } cron ? $"sweep on '{cron.Expression}' (UTC)" : "no scheduled sweep (set RoleMining:Schedule)";
        await context.Console.Output.WriteLineAsync(
            $"RoleMining API listening on {string.Join(", ", host.Addresses.Select(address => address.TrimEnd('/') + "/api"))}; exports in {host.ArtifactRoot}; {schedule}. Press Ctrl+C to stop.");

        // Ctrl+C is how a foreground server is meant to stop: it ends the command normally, with exit code 0.
        await host.WaitForShutdownAsync(cancellationToken);
        return ExitCodes.Success;
    }
}
