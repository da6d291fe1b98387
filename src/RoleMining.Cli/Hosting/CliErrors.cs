using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using RoleMining.Cli.Configuration;
using RoleMining.Cli.Exports;
using RoleMining.Exports;
using RoleMining.SailPoint;

namespace RoleMining.Cli.Hosting;

/// <summary>Turns any failure of a command into one line on standard error and an exit code.</summary>
internal static partial class CliErrors
{
    private const string VerboseHint = " Run again with --verbose for details.";

    /// <summary>Writes the failure and returns the exit code. A stack trace is written only when <paramref name="verbose"/>.</summary>
    public static int Report(Exception exception, CliConsole console, bool verbose, CancellationToken cancellationToken)
    {
        var (exitCode, message) = Classify(exception, cancellationToken);
        if (verbose)
        {
            // The details follow.
            message = message.Replace(VerboseHint, string.Empty, StringComparison.Ordinal);
        }

        if (exitCode == ExitCodes.OutputClosed && !verbose)
        {
            // Quiet, as `... | head` expects of a program whose reader has had enough.
            return exitCode;
        }

        console.Error.WriteLine(message);
        if (verbose && exitCode is not (ExitCodes.Cancelled or ExitCodes.OutputClosed))
        {
            console.Error.WriteLine(exception.ToString());
        }

        return exitCode;
    }

    internal static (int ExitCode, string Message) Classify(Exception exception, CancellationToken cancellationToken)
    {
        if (Find<OutputClosedException>(exception) is { } closed)
        {
            return (ExitCodes.OutputClosed, closed.Message + " Stopped.");
        }

        switch (exception)
        {
            case OperationCanceledException when cancellationToken.IsCancellationRequested:
                // The export commands say what resumes in their own summary; a listing has nothing to resume.
                return (ExitCodes.Cancelled, "Cancelled.");
            case CliException cli:
                return (cli.ExitCode, cli.Message);
            case OptionsValidationException validation:
                return (ExitCodes.Configuration, "Configuration error: " + string.Join(" ", DescribeFailures(validation)));
            case SailPointException sailPoint:
                return (IsUnreachable(sailPoint) ? ExitCodes.Unreachable : ExitCodes.Failed, sailPoint.Message);
            case HttpRequestException http:
                return (ExitCodes.Unreachable, "SailPoint could not be reached: " + http.Message);
            case IOException or UnauthorizedAccessException:
                return (ExitCodes.Failed, "File error: " + exception.Message);
            case OperationCanceledException:
                // Not our token: a time budget ran out somewhere below.
                return (ExitCodes.Unreachable, "A SailPoint operation timed out: " + exception.Message);
            default:
                return (ExitCodes.Failed, $"Unexpected error ({exception.GetType().Name}): {exception.Message}{VerboseHint}");
        }
    }

    /// <summary>
    /// The failures in the words of the settings: an attribute's "MaxConcurrency: The field ExportWorkflowOptions.MaxConcurrency
    /// must be between 1 and 256." becomes "RoleMining:Exports:MaxConcurrency must be between 1 and 256.", and is left out
    /// where a validator of its own already speaks of the same key (saying, e.g., which environment variable sets it).
    /// </summary>
    internal static IEnumerable<string> DescribeFailures(OptionsValidationException validation)
    {
        var section = CliConfiguration.BoundSections.FirstOrDefault(bound => bound.Type == validation.OptionsType).Section;
        var failures = validation.Failures.ToList();
        foreach (var failure in failures)
        {
            if (section is null || AttributeFailure().Match(failure) is not { Success: true } match)
            {
                // A validator of the workflow speaks of its keys as the Functions app binds them ('Exports:...'); the
                // command line binds that section under RoleMining:Exports.
                yield return validation.OptionsType == typeof(ExportWorkflowOptions) && section is not null
                    ? WithCommandLineKeys(failure, section)
                    : failure;
                continue;
            }

            // The member before the colon or the path after the type name, whichever is longer: the generator names a
            // nested member one way or the other depending on how the nested options are validated.
            var member = match.Groups["member"].Value;
            var path = match.Groups["path"].Value;
            var key = section + ":" + (path.Count(c => c == '.') > member.Count(c => c == '.') ? path : member).Replace('.', ':');
            if (!failures.Any(other => other.StartsWith(key + " ", StringComparison.Ordinal)))
            {
                yield return $"{key} {match.Groups["rule"].Value}";
            }
        }
    }

    /// <summary>
    /// <paramref name="text"/> (a job's failure reason, say) with the workflow's keys under <paramref name="section"/>, as
    /// the command line binds them: the Functions app reads 'Exports:Archive', the command line 'RoleMining:Exports:Archive'.
    /// </summary>
    internal static string WithCommandLineKeys(string text, string section = ExportSettings.WorkflowSection) => WorkflowKey().Replace(text, section + ":");

    /// <summary>A key of the workflow's own section at the start of a word (not already under another section).</summary>
    [GeneratedRegex(@"(?<![\w:])" + ExportWorkflowOptions.SectionName + ":")]
    private static partial Regex WorkflowKey();

    /// <summary>The form of the options validation source generator's failures ("Member: The Type.Member field is required.",
    /// "Member: The field Type.Member must be ...").</summary>
    [GeneratedRegex(@"^(?<member>[\w.]+): The (?:field \w+\.(?<path>[\w.]+) (?<rule>.+)|\w+\.(?<path>[\w.]+) field (?<rule>.+))$")]
    private static partial Regex AttributeFailure();

    /// <summary>The exception, or the first of its inner exceptions, of type <typeparamref name="T"/> (writers such as CsvHelper wrap what the stream threw).</summary>
    private static T? Find<T>(Exception exception)
        where T : Exception
    {
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            if (current is T found)
            {
                return found;
            }
        }

        return null;
    }

    private static bool IsUnreachable(SailPointException exception) => IsUnreachable(exception.Kind, exception.StatusCode);

    /// <summary>Whether a SailPoint failure of <paramref name="kind"/> and <paramref name="status"/> means SailPoint could not be reached or refused the credentials.</summary>
    internal static bool IsUnreachable(SailPointErrorKind kind, int? status) =>
        kind is SailPointErrorKind.Transport or SailPointErrorKind.Timeout or SailPointErrorKind.CircuitOpen or SailPointErrorKind.Authentication
        || status is 401 or 403;
}
