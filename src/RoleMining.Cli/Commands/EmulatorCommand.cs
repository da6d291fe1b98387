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
/// <see cref="EmulatorApplication"/> exactly as the emulator's own program builds it. Arguments the command does not
/// declare (<c>--seed 7</c>, <c>--rate-limit off</c>, <c>--Emulator:Tenant:SessionCount 20</c>) go to the emulator.
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
        var command = new Command(
            "emulator",
            "Run the ISC role-mining API emulator in the foreground until Ctrl+C (then exit code 0). Emulator options: "
            + string.Join(", ", CommandLineSwitches.Names.Order(StringComparer.Ordinal))
            + ", or any configuration key such as --Emulator:Faults:Default:ServerErrorShare 0.1. "
            + "Default credentials: client id rolemining-emulator, secret rolemining-emulator-secret.")
        {
            urls,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction((parseResult, cancellationToken) => execution.RunStandaloneAsync(
            parseResult,
            token => RunAsync(execution, parseResult, parseResult.GetValue(urls)!, token),
            cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(CommandExecution execution, ParseResult parseResult, string urls, CancellationToken cancellationToken)
    {
        // Checked as serve checks them: Kestrel would fail on a bad one only when it starts, with a stack trace.
        _ = ServeUrls.Parse(urls);
        string[] args = ["--urls", urls, .. parseResult.UnmatchedTokens];
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
