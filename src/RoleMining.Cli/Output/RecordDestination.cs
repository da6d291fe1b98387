using Microsoft.Extensions.Configuration;
using RoleMining.Cli.Configuration;
using RoleMining.Cli.Exports;
using RoleMining.Cli.Hosting;
using RoleMining.Exports;
using Spectre.Console;

namespace RoleMining.Cli.Output;

/// <summary>Where records go: standard output, or a file given with <c>--out</c> that appears only when complete.</summary>
internal sealed class RecordDestination : IAsyncDisposable
{
    private readonly AtomicFile? _file;
    private readonly CliConsole _console;

    private RecordDestination(CliConsole console, AtomicFile? file)
    {
        _console = console;
        _file = file;
    }

    /// <summary>The writer records go to.</summary>
    public TextWriter Writer => _file?.Writer ?? _console.Output;

    /// <summary>Whether records go to a file (standard output is then free for progress).</summary>
    public bool IsFile => _file is not null;

    /// <summary>The file path, when <see cref="IsFile"/>.</summary>
    public string? FilePath => _file?.Path;

    /// <summary>
    /// Opens standard output, or a temporary file beside <paramref name="outFile"/> readable as the exports are
    /// (<c>RoleMining:Exports:FileSystem:Access</c>, owner only by default): listings hold identity names and e-mail
    /// addresses too.
    /// </summary>
    public static RecordDestination Open(CliRun run, string? outFile) =>
        new(run.Console, outFile is null ? null : AtomicFile.Create(run.Context.ResolvePath(outFile), ExportFilePermissions.FileMode(FileAccessOf(run.Configuration))));

    /// <summary>The setting as the export commands bind it, and a value it cannot take reported as they report it.</summary>
    private static ExportFileAccess FileAccessOf(IConfiguration configuration)
    {
        try
        {
            return configuration.GetValue<ExportFileAccess?>(ExportSettings.WorkflowSection + ":FileSystem:Access") ?? ExportFileAccess.Owner;
        }
        catch (InvalidOperationException exception)
        {
            throw CliException.Configuration(ConfigurationMessages.Describe(exception), exception);
        }
    }

    /// <summary>A Spectre.Console surface for tables over the destination.</summary>
    public IAnsiConsole CreateTableConsole() =>
        _file is null ? _console.CreateOutputConsole() : CliConsole.CreateAnsiConsole(_file.Writer, isTerminal: false);

    /// <summary>Writes a note to standard error, where it never mixes with the records.</summary>
    public void Warn(string message) => _console.Error.WriteLine(message);

    /// <summary>Publishes the file; nothing to do for standard output.</summary>
    public Task CommitAsync(CancellationToken cancellationToken) =>
        _file is null ? _console.Output.FlushAsync(cancellationToken) : _file.CommitAsync(cancellationToken);

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _file?.DisposeAsync() ?? ValueTask.CompletedTask;
}
