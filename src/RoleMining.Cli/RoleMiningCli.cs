using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using System.Text.RegularExpressions;
using RoleMining.Cli.Commands;
using RoleMining.Cli.Configuration;
using RoleMining.Cli.Hosting;

namespace RoleMining.Cli;

/// <summary>The in-process entry point of <c>rolemining</c>: what <c>Program</c> runs, and what tests run.</summary>
public static partial class RoleMiningCli
{
    /// <summary>
    /// Parses <paramref name="args"/> and runs the command. Returns the exit code (see <see cref="ExitCodes"/>); never
    /// throws for a failure of the command. Cancelling <paramref name="cancellationToken"/> is Ctrl+C.
    /// </summary>
    public static async Task<int> RunAsync(string[] args, CliContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(context);
        var root = CliCommandTree.Build(context);
        var parseResult = root.Parse(args);
        if (parseResult.Action is ParseErrorAction)
        {
            return ReportUsageErrors(parseResult, args, context.Console);
        }

        var invocation = new InvocationConfiguration
        {
            Output = context.Console.Output,
            Error = context.Console.Error,
            // Failures are reported by the commands themselves (one line, an exit code, no stack trace).
            EnableDefaultExceptionHandler = false,
            // Program owns Ctrl+C and SIGTERM and cancels the token; the library must not end the process on its own.
            ProcessTerminationTimeout = null,
        };
        try
        {
            return await parseResult.InvokeAsync(invocation, cancellationToken);
        }
        catch (OutputClosedException)
        {
            // Help or version text whose reader had enough (`--help | head -1`): the library's own actions write it.
            return ExitCodes.OutputClosed;
        }
    }

    private static int ReportUsageErrors(ParseResult parseResult, string[] args, CliConsole console)
    {
        // Someone who typed a secret on the command line must not see it echoed into logs as "unrecognized argument".
        var secrets = SecretValuesIn(args);
        foreach (var error in parseResult.Errors)
        {
            // One line per error: some of the library's messages span lines.
            var message = ConfigurationMessages.DescribeArgumentError(WhiteSpace().Replace(error.Message, " ").Trim());
            foreach (var secret in secrets)
            {
                message = message.Replace(secret, "***", StringComparison.Ordinal);
            }

            console.Error.WriteLine(message);
        }

        if (secrets.Count > 0)
        {
            console.Error.WriteLine(
                "Secrets are never accepted on the command line: set SAIL_CLIENT_SECRET, use 'dotnet user-secrets', or a --config file.");
        }

        console.Error.WriteLine(UsageHint(parseResult));
        return ExitCodes.Usage;
    }

    /// <summary>"Run 'rolemining sessions list --help' for usage." for the command that was parsed.</summary>
    internal static string UsageHint(ParseResult parseResult)
    {
        var path = new List<string>();
        for (SymbolResult? result = parseResult.CommandResult; result is CommandResult command; result = command.Parent)
        {
            path.Insert(0, command.Command.Name);
        }

        return $"Run '{string.Join(' ', path)} --help' for usage.";
    }

    /// <summary>The values that follow (or are attached to) an option whose name says it carries a secret.</summary>
    private static List<string> SecretValuesIn(string[] args)
    {
        var secrets = new List<string>();
        for (var index = 0; index < args.Length; index++)
        {
            var argument = args[index];
            if (!argument.StartsWith('-') || !SecretOptionName().IsMatch(argument))
            {
                continue;
            }

            // '--client-secret=VALUE' and '--client-secret:VALUE' carry the value; in '--SailPoint:ClientSecret VALUE' the
            // colon is part of a configuration key, and the value is the next argument.
            var equals = argument.IndexOf('=', StringComparison.Ordinal);
            var colon = argument.IndexOf(':', StringComparison.Ordinal);
            var valueColon = colon > 0 && SecretOptionName().IsMatch(argument[..colon]) ? colon : -1;
            var separator = equals > 0 && (valueColon < 0 || equals < valueColon) ? equals : valueColon;
            if (separator > 0 && separator < argument.Length - 1)
            {
                secrets.Add(argument[(separator + 1)..]);
            }
            else if (index + 1 < args.Length && !args[index + 1].StartsWith('-'))
            {
                secrets.Add(args[index + 1]);
            }
        }

        return secrets.Where(secret => secret.Length > 0).ToList();
    }

    [GeneratedRegex("secret|password|token|apikey|api-key", RegexOptions.IgnoreCase)]
    private static partial Regex SecretOptionName();

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhiteSpace();
}
