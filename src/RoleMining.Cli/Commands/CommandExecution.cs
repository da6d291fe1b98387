using System.CommandLine;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using RoleMining.Cli.Hosting;

namespace RoleMining.Cli.Commands;

/// <summary>Runs a command body inside a <see cref="CliRun"/> and turns every failure into a message and an exit code.</summary>
internal sealed class CommandExecution(CliContext context, CommonOptions options)
{
    public CliContext Context => context;

    public CommonOptions Options => options;

    /// <summary>
    /// Runs <paramref name="body"/>. <paramref name="preflight"/> checks arguments that need more than the parser (files,
    /// directories) before anything starts, and throws <see cref="CliException"/> with <see cref="ExitCodes.Usage"/>.
    /// </summary>
    public async Task<int> RunAsync(
        ParseResult parseResult,
        Func<CliRun, CancellationToken, Task<int>> body,
        CancellationToken cancellationToken,
        Action<ParseResult>? preflight = null,
        Action<IServiceCollection, IConfiguration>? addServices = null)
    {
        var verbose = parseResult.GetValue(options.Verbose);
        try
        {
            try
            {
                preflight?.Invoke(parseResult);
            }
            catch (CliException exception) when (exception.ExitCode == ExitCodes.Usage)
            {
                await context.Console.Error.WriteLineAsync(exception.Message);
                await context.Console.Error.WriteLineAsync(RoleMiningCli.UsageHint(parseResult));
                return ExitCodes.Usage;
            }

            await using var run = await CliRun.OpenAsync(context, parseResult.GetValue(options.Config), verbose, addServices, cancellationToken);
            return await body(run, cancellationToken);
        }
#pragma warning disable CA1031 // The one place every failure of a command becomes a one-line message and an exit code.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            return CliErrors.Report(exception, context.Console, verbose, cancellationToken);
        }
    }

    /// <summary>Runs <paramref name="body"/> without a tenant connection (the emulator command).</summary>
    public async Task<int> RunStandaloneAsync(ParseResult parseResult, Func<CancellationToken, Task<int>> body, CancellationToken cancellationToken)
    {
        var verbose = parseResult.GetValue(options.Verbose);
        try
        {
            return await body(cancellationToken);
        }
#pragma warning disable CA1031 // As above.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            return CliErrors.Report(exception, context.Console, verbose, cancellationToken);
        }
    }

    /// <summary>Checks that the directory of an output file exists, so that a typo fails before any work.</summary>
    public void RequireOutputDirectory(string? outFile)
    {
        if (outFile is null)
        {
            return;
        }

        if (string.IsNullOrWhiteSpace(outFile))
        {
            throw CliException.Usage("--out needs a file name ('-' for standard output).");
        }

        var path = context.ResolvePath(outFile);
        if (Directory.Exists(path))
        {
            throw CliException.Usage($"--out '{outFile}' is a directory; give a file name.");
        }

        var directory = Path.GetDirectoryName(path);
        if (directory is not null && !Directory.Exists(directory))
        {
            throw CliException.Usage(context.IsUnexpandedHome(outFile)
                ? $"--out '{outFile}': {CliContext.UnexpandedHomeNote("--out", outFile)}."
                : $"--out '{outFile}': the directory '{directory}' does not exist.");
        }
    }
}
