using System.Text;
using Spectre.Console;

namespace RoleMining.Cli.Hosting;

/// <summary>
/// The two output streams of a run and whether a person watches them. The process uses the real console; tests pass
/// string writers, so that every byte the command prints can be asserted.
/// </summary>
public sealed class CliConsole
{
    /// <summary>Creates a console over two writers.</summary>
    public CliConsole(TextWriter output, TextWriter error, bool isOutputTerminal = false, bool isErrorTerminal = false)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        Output = output;
        Error = error;
        IsOutputTerminal = isOutputTerminal;
        IsErrorTerminal = isErrorTerminal;
    }

    /// <summary>Standard output: data and summaries.</summary>
    public TextWriter Output { get; }

    /// <summary>Standard error: notices, warnings and errors.</summary>
    public TextWriter Error { get; }

    /// <summary>Whether standard output is an interactive terminal (progress bars) rather than a pipe or a file (plain lines).</summary>
    public bool IsOutputTerminal { get; }

    /// <summary>Whether standard error is an interactive terminal.</summary>
    public bool IsErrorTerminal { get; }

    /// <summary>The process console.</summary>
    public static CliConsole FromSystemConsole()
    {
        // Data written to stdout is UTF-8 whatever the platform default, so that JSON and CSV output round-trip.
        var output = new StreamWriter(StandardOutput.Open(), new UTF8Encoding(false)) { AutoFlush = true };
        var error = new StreamWriter(Console.OpenStandardError(), new UTF8Encoding(false)) { AutoFlush = true };
        return new CliConsole(output, error, !Console.IsOutputRedirected, !Console.IsErrorRedirected);
    }

    /// <summary>A Spectre.Console surface over standard output: colours and live display only on a terminal.</summary>
    public IAnsiConsole CreateOutputConsole() => CreateAnsiConsole(Output, IsOutputTerminal);

    /// <summary>A Spectre.Console surface over standard error.</summary>
    public IAnsiConsole CreateErrorConsole() => CreateAnsiConsole(Error, IsErrorTerminal);

    /// <summary>A Spectre.Console surface over any writer (a file gets the non-terminal settings).</summary>
    internal static IAnsiConsole CreateAnsiConsole(TextWriter writer, bool isTerminal)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = isTerminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = isTerminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = isTerminal ? InteractionSupport.Detect : InteractionSupport.No,
            Out = new AnsiConsoleOutput(writer),
        });

        if (!isTerminal)
        {
            // Redirected output has no width; a wide virtual width keeps ids and names on one line for grep and diff.
            console.Profile.Width = 240;
        }

        return console;
    }
}
