namespace RoleMining.Cli.Hosting;

/// <summary>The process exit codes of <c>rolemining</c>; the help text and the README list the same values.</summary>
public static class ExitCodes
{
    /// <summary>Everything asked for was done.</summary>
    public const int Success = 0;

    /// <summary>Some export failed, or SailPoint or Azure Storage refused a request (an unknown session id, a blob container the identity may not use).</summary>
    public const int Failed = 1;

    /// <summary>Bad arguments or usage: nothing was done.</summary>
    public const int Usage = 2;

    /// <summary>The configuration is missing, unreadable or invalid.</summary>
    public const int Configuration = 3;

    /// <summary>SailPoint could not be reached, or authentication failed (also: every export that failed, failed for that).</summary>
    public const int Unreachable = 4;

    /// <summary>Cancelled (Ctrl+C or SIGTERM); a rerun resumes stored export jobs.</summary>
    public const int Cancelled = 130;

    /// <summary>The program reading standard output ended first (<c>| head</c>): 128 + SIGPIPE, as for a program the signal stopped.</summary>
    public const int OutputClosed = 141;

    /// <summary>The list as the help text shows it.</summary>
    public const string HelpText =
        "Exit codes: 0 ok; 1 an export failed, or SailPoint or Azure Storage refused a request; 2 bad arguments; "
        + "3 configuration error; 4 SailPoint unreachable or authentication failed; 130 cancelled; "
        + "141 standard output closed by its reader (| head).";
}
