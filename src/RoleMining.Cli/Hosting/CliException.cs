namespace RoleMining.Cli.Hosting;

/// <summary>A failure the command explains in one line and maps to an exit code (see <see cref="ExitCodes"/>).</summary>
public sealed class CliException : Exception
{
    /// <summary>Creates a general failure.</summary>
    public CliException()
        : this("The command failed.")
    {
    }

    /// <summary>Creates a general failure.</summary>
    public CliException(string message)
        : this(message, null)
    {
    }

    /// <summary>Creates a general failure.</summary>
    public CliException(string message, Exception? innerException)
        : this(ExitCodes.Failed, message, innerException)
    {
    }

    /// <summary>Creates a failure with an exit code.</summary>
    public CliException(int exitCode, string message, Exception? innerException = null)
        : base(message, innerException) => ExitCode = exitCode;

    /// <summary>The exit code of the process.</summary>
    public int ExitCode { get; }

    /// <summary>A bad argument or combination of arguments.</summary>
    public static CliException Usage(string message) => new(ExitCodes.Usage, message);

    /// <summary>Missing, unreadable or invalid configuration.</summary>
    public static CliException Configuration(string message, Exception? innerException = null) => new(ExitCodes.Configuration, message, innerException);
}
