using System.CommandLine;
using RoleMining.Cli.Output;
using RoleMining.Exports;

namespace RoleMining.Cli.Commands;

/// <summary>
/// Options shared by several commands. Each root command gets its own instances: a System.CommandLine symbol belongs to
/// the commands it is added to, and tests build many command trees in parallel.
/// </summary>
internal sealed class CommonOptions
{
    public Option<string?> Config { get; } = new("--config")
    {
        Description = "A JSON configuration file (sections SailPoint, RoleMining, Emulator). Secrets are never taken from the command line: use SAIL_CLIENT_SECRET, user secrets or this file.",
        HelpName = "FILE",
        Recursive = true,
    };

    public Option<bool> Verbose { get; } = new("--verbose")
    {
        Description = "Log more, and show the stack trace of an unexpected error.",
        Recursive = true,
    };

    /// <summary>The default said in every <c>--format</c> description (see <see cref="OutputFormats.Resolve"/>).</summary>
    public const string FormatDefault = "Default: csv or json when the --out file ends in .csv or .json, else table.";

    public static Option<string?> Format(string description = "Output format: table, json or csv.")
    {
        var option = new Option<string?>("--format", "-f")
        {
            Description = $"{description} {FormatDefault}",
            HelpName = "table|json|csv",
        };
        // A validator of our own rather than AcceptOnlyFromAmong: its message spans several lines and omits the option name.
        option.CompletionSources.Add(OutputFormats.Names);
        option.Validators.Add(result =>
        {
            if (result.Tokens.Count > 0 && !OutputFormats.IsName(result.Tokens[^1].Value))
            {
                result.AddError($"--format must be table, json or csv, not '{result.Tokens[^1].Value}'.");
            }
        });
        return option;
    }

    public static Option<string?> OutFile() => new("--out", "-o")
    {
        Description = "Write to FILE instead of standard output ('-': standard output); the file appears only when complete.",
        HelpName = "FILE",
    };

    public static Option<string?> Filter(string example) => new("--filter")
    {
        Description = $"ISC filter expression, passed through unchanged, e.g. {example}.",
        HelpName = "EXPR",
    };

    public static Option<string?> Sort(string example) => new("--sort")
    {
        Description = $"ISC sorters (comma-separated, '-' for descending), e.g. {example}.",
        HelpName = "FIELDS",
    };

    public static Option<string> Session(bool required) => SailPointIds(new Option<string>("--session", "-s")
    {
        Description = "The role-mining session id.",
        HelpName = "ID",
        Required = required,
    });

    /// <summary>
    /// An option whose values are ISC ids: they become URL path segments and folder names, so one that cannot be either
    /// ('', '.', '..', 'a/b') is a usage error naming the option, not a request to another path or a failure mid-run.
    /// </summary>
    public static Option<T> SailPointIds<T>(Option<T> option)
    {
        ArgumentNullException.ThrowIfNull(option);
        option.Validators.Add(result => CheckIds(result.Tokens, option.Name, result.AddError));
        return option;
    }

    /// <summary>An argument whose value is an ISC id (see <see cref="SailPointIds{T}(Option{T})"/>).</summary>
    public static Argument<string> SailPointId(Argument<string> argument)
    {
        ArgumentNullException.ThrowIfNull(argument);
        argument.Validators.Add(result => CheckIds(result.Tokens, argument.Name, result.AddError));
        return argument;
    }

    /// <summary>An ISC id as the job store keys it: lowercase, as the HTTP API takes it (either case names the same object).</summary>
    public static string NormalizeId(string id) => id.ToLowerInvariant();

    private static void CheckIds(IReadOnlyList<System.CommandLine.Parsing.Token> tokens, string name, Action<string> addError)
    {
        foreach (var token in tokens)
        {
            if (!ExportJobIds.IsSafeSegment(token.Value))
            {
                addError($"{name} '{token.Value}' is not a valid SailPoint id: {ExportJobIds.SafeSegmentRule}.");
                return;
            }
        }
    }
}
