using System.CommandLine;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using RoleMining.Cli.Hosting;
using RoleMining.Cli.Serve;
using RoleMining.Emulator;

namespace RoleMining.Cli.Commands;

/// <summary>
/// <c>rolemining emulator</c>: the ISC role-mining emulator in the foreground until Ctrl+C, built by
/// <see cref="EmulatorApplication"/> exactly as the emulator's own program builds it. The emulator's switches
/// (<c>--seed 7</c>, <c>--rate-limit off</c>) and any configuration key (<c>--Emulator:Tenant:SessionCount 20</c>) go to it.
/// </summary>
internal static class EmulatorCommand
{
    public const string DefaultUrl = "http://127.0.0.1:5080";

    public static Command Create(CommandExecution execution)
    {
        var urls = new Option<string>("--urls")
        {
            Description = "Where to listen (semicolon-separated URLs).",
            HelpName = "URLS",
            DefaultValueFactory = _ => DefaultUrl,
        };
        // The emulator's own switches, declared so that help lists them; their values are handed to the emulator as
        // given, which converts and checks them as its stand-alone program does.
        var switches = CommandLineSwitches.Help
            .Select(entry => new Option<string>(entry.Name) { Description = entry.Description, HelpName = entry.ValueName })
            .ToList();
        var settings = new Argument<string[]>("settings")
        {
            Description = "Any other setting of the emulator's configuration (--Emulator:Faults:Default:ServerErrorShare 0.1).",
            HelpName = "--Emulator:KEY VALUE",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var command = new Command(
            "emulator",
            "Run the ISC role-mining API emulator in the foreground until Ctrl+C (then exit code 0). "
            + "Default credentials: client id rolemining-emulator, secret rolemining-emulator-secret.")
        {
            urls,
            settings,
        };
        foreach (var option in switches)
        {
            command.Options.Add(option);
        }

        command.SetAction((parseResult, cancellationToken) => execution.RunStandaloneAsync(
            parseResult,
            token => RunAsync(execution, parseResult, parseResult.GetValue(urls)!, EmulatorArguments(parseResult, switches, settings), token),
            cancellationToken));
        return command;
    }

    private static IEnumerable<string> EmulatorArguments(ParseResult parseResult, IEnumerable<Option<string>> switches, Argument<string[]> settings) =>
        switches
            .Where(option => parseResult.GetResult(option) is not null)
            .SelectMany(option => new[] { option.Name, parseResult.GetValue(option)! })
            .Concat(parseResult.GetValue(settings) ?? []);

    private static async Task<int> RunAsync(CommandExecution execution, ParseResult parseResult, string urls, IEnumerable<string> emulatorArguments, CancellationToken cancellationToken)
    {
        // Checked as serve checks them: Kestrel would fail on a bad one only when it starts, with a stack trace.
        _ = ServeUrls.Parse(urls);
        string[] args = ["--urls", urls, .. emulatorArguments];
        WebApplication built;
        try
        {
            built = EmulatorApplication.Build(args);
        }
        catch (ArgumentException exception)
        {
            // "The switch '--seed' needs a value.", without the " (Parameter 'args')" meant for programmers.
            throw CliException.Usage(exception.Message.Replace($" (Parameter '{exception.ParamName}')", string.Empty, StringComparison.Ordinal));
        }

        await using var app = built;
        if (parseResult.GetValue(execution.Options.Config) is { } configFile)
        {
            var path = execution.Context.ResolvePath(configFile);
            if (!File.Exists(path))
            {
                throw CliException.Configuration($"Configuration file '{configFile}' was not found.");
            }

            // Options are bound when the server starts, so a file added now still counts (and wins over the arguments).
            ((IConfigurationBuilder)app.Configuration).AddJsonFile(path, optional: false, reloadOnChange: false);
        }

        try
        {
            // Validated here, before the host starts: a host that fails to start logs the failure with a stack trace.
            _ = app.Services.GetRequiredService<IOptions<EmulatorOptions>>().Value;
            await app.StartAsync(cancellationToken);
        }
        catch (OptionsValidationException exception)
        {
            throw CliException.Configuration("Configuration error: " + string.Join(" ", CliErrors.DescribeFailures(exception)), exception);
        }
        catch (InvalidOperationException exception) when (CommandLineSwitches.DescribeInvalidValue(exception) is { } invalid)
        {
            // A switch or an --Emulator:... key of the command line that the binder could not convert (--seed abc).
            throw CliException.Usage(invalid);
        }
        catch (IOException exception)
        {
            // Kestrel reports an address in use this way.
            throw ServeUrls.ListenFailure(urls, exception);
        }

        // Ctrl+C is how a foreground server is meant to stop: the command then ends normally, with exit code 0.
        await app.WaitForShutdownAsync(cancellationToken);
        return ExitCodes.Success;
    }
}
