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

        if (HoldsSecretValue(args))
        {
            // A key or a signature given to an option that takes it as something else (a SAS URL as --out) would be
            // echoed by that option's own error, or written into a file name: refused before anything runs, unechoed.
            context.Console.Error.WriteLine(
                "An argument holds a storage account key or a shared access signature ('AccountKey=', 'SharedAccessSignature=' or 'sig='); it is not repeated here.");
            context.Console.Error.WriteLine(SecretsNotice);
            context.Console.Error.WriteLine(UsageHint(parseResult));
            return ExitCodes.Usage;
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

    /// <summary>
    /// Whether an argument holds a storage key or a SAS signature, other than a value of <c>--blob-container</c>, which
    /// refuses those itself, unechoed, with advice for that option.
    /// </summary>
    private static bool HoldsSecretValue(string[] args) =>
        args.Where((argument, index) => !argument.StartsWith(BlobContainerOption, StringComparison.Ordinal) && (index == 0 || args[index - 1] != BlobContainerOption))
            .Any(argument => SecretValue().IsMatch(argument));

    private const string BlobContainerOption = "--blob-container";

    private const string SecretsNotice =
        "Secrets are never accepted on the command line: set them in the environment (SAIL_CLIENT_SECRET, "
        + "RoleMining__Exports__Blob__ConnectionString), with 'dotnet user-secrets', or in a --config file.";

    private static int ReportUsageErrors(ParseResult parseResult, string[] args, CliConsole console)
    {
        // Someone who typed a secret on the command line must not see it echoed into logs as "unrecognized argument".
        var secrets = SecretValuesIn(args);
        foreach (var error in parseResult.Errors)
        {
            // Masked before and after the whitespace is collapsed: a secret with a run of spaces is no longer itself after.
            var message = Mask(error.Message, secrets);
            // One line per error: some of the library's messages span lines.
            message = Mask(ConfigurationMessages.DescribeArgumentError(WhiteSpace().Replace(message, " ").Trim()), secrets.Select(secret => WhiteSpace().Replace(secret, " ")));
            console.Error.WriteLine(message);
        }

        if (secrets.Count > 0)
        {
            console.Error.WriteLine(SecretsNotice);
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

    private static string Mask(string message, IEnumerable<string> secrets)
    {
        foreach (var secret in secrets)
        {
            message = message.Replace(secret, "***", StringComparison.Ordinal);
        }

        return message;
    }

    /// <summary>
    /// The values that follow (or are attached to) an option whose name says it carries a secret, and every argument that
    /// holds a storage key or a shared access signature whatever option it follows (a connection string, a SAS URL).
    /// </summary>
    private static List<string> SecretValuesIn(string[] args)
    {
        var secrets = new List<string>();
        for (var index = 0; index < args.Length; index++)
        {
            var argument = args[index];
            if (SecretValue().IsMatch(argument))
            {
                secrets.Add(argument);
            }

            // The name: up to '=', or up to a character no option name or configuration key has (a value attached with
            // ':' may hold spaces: '--filter:name eq Kansas' names no secret).
            if (!argument.StartsWith('-') || !SecretOptionName().IsMatch(OptionNamePart().Match(argument).Value))
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
            else if (index + 1 < args.Length && !args[index + 1].StartsWith("--", StringComparison.Ordinal) && !ShortOption().IsMatch(args[index + 1]))
            {
                // A value may begin with one '-' (URL-safe base64 does); an option that follows ('--all', '-s') is no value.
                secrets.Add(args[index + 1]);
            }
        }

        return secrets.Where(secret => secret.Length > 0).Distinct(StringComparer.Ordinal).OrderByDescending(secret => secret.Length).ToList();
    }

    [GeneratedRegex("secret|password|passwd|token|apikey|api-key|api_key|accountkey|account-key|connectionstring|connection-string|(?<![a-z])sas(?![a-z])|credential", RegexOptions.IgnoreCase)]
    private static partial Regex SecretOptionName();

    [GeneratedRegex(@"^[-\w:.]*")]
    private static partial Regex OptionNamePart();

    [GeneratedRegex(@"^-[A-Za-z?]$")]
    private static partial Regex ShortOption();

    /// <summary>An Azure Storage connection string's key or signature, or a SAS URL's signature.</summary>
    [GeneratedRegex(@"AccountKey=|SharedAccessSignature=|[?&]sig=", RegexOptions.IgnoreCase)]
    private static partial Regex SecretValue();

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhiteSpace();
}
