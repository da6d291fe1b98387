using System.CommandLine;
using RoleMining.Cli.Output;

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

    public static Option<string> Format(string description = "Output format: table, json or csv.")
    {
        var option = new Option<string>("--format", "-f")
        {
            Description = description,
            DefaultValueFactory = _ => OutputFormats.Table,
            HelpName = "table|json|csv",
        };
        // A validator of our own rather than AcceptOnlyFromAmong: its message spans several lines and omits the option name.
        option.CompletionSources.Add(OutputFormats.Names);
        option.Validators.Add(result =>
        {
            if (result.Tokens.Count > 0 && !OutputFormats.Names.Contains(result.Tokens[^1].Value, StringComparer.Ordinal))
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

    public static Option<string> Session(bool required) => new("--session", "-s")
    {
        Description = "The role-mining session id.",
        HelpName = "ID",
        Required = required,
    };
}
