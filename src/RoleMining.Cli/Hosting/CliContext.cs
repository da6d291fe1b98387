using System.Collections;

namespace RoleMining.Cli.Hosting;

/// <summary>
/// What a run of <c>rolemining</c> sees of the world besides its arguments: the console, the environment variables, the
/// working directory and whether user secrets are read. Tests run many commands in parallel in one process, so none of
/// this may come from process-wide state that a test would have to change.
/// </summary>
public sealed class CliContext
{
    /// <summary>Creates a context.</summary>
    public CliContext(CliConsole console, IReadOnlyDictionary<string, string?> environment, string currentDirectory, bool loadUserSecrets)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentException.ThrowIfNullOrEmpty(currentDirectory);
        Console = console;
        Environment = environment;
        CurrentDirectory = currentDirectory;
        LoadUserSecrets = loadUserSecrets;
    }

    /// <summary>Standard output and error.</summary>
    public CliConsole Console { get; }

    /// <summary>Environment variables (<c>SAIL_*</c>, <c>SailPoint__*</c>, <c>RoleMining__*</c>, <c>Emulator__*</c>).</summary>
    public IReadOnlyDictionary<string, string?> Environment { get; }

    /// <summary>The directory relative paths (<c>--out</c>, <c>--config</c>) are resolved against.</summary>
    public string CurrentDirectory { get; }

    /// <summary>Whether the user secrets of this project are read (<c>dotnet user-secrets</c>).</summary>
    public bool LoadUserSecrets { get; }

    /// <summary>The context of the real process.</summary>
    public static CliContext FromProcess()
    {
        var variables = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (DictionaryEntry entry in System.Environment.GetEnvironmentVariables())
        {
            variables[(string)entry.Key] = entry.Value as string;
        }

        return new CliContext(CliConsole.FromSystemConsole(), variables, Directory.GetCurrentDirectory(), loadUserSecrets: true);
    }

    /// <summary>Resolves a path given on the command line.</summary>
    public string ResolvePath(string path) => Path.GetFullPath(path, CurrentDirectory);

    /// <summary>
    /// Whether <paramref name="path"/> starts with a '~' that the shell left as it is (quoted, or after '=' as in
    /// <c>--out=~/x</c>) and that names no folder here: this program does not expand it, as no program does.
    /// </summary>
    public bool IsUnexpandedHome(string path) =>
        (path == "~" || path.StartsWith("~/", StringComparison.Ordinal) || path.StartsWith("~" + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        && !Directory.Exists(ResolvePath("~"));

    /// <summary>The explanation that goes with <see cref="IsUnexpandedHome"/>, with the path as it was probably meant.</summary>
    public static string UnexpandedHomeNote(string option, string path) =>
        $"'~' is expanded by the shell only at the start of an unquoted word (not in quotes, nor after '=' as in {option}=~/...): give the full path, e.g. $HOME{path[1..]}";
}
