namespace RoleMining.Exports;

/// <summary>
/// What a start step records when it takes over a job whose earlier start never recorded its outcome (see
/// <see cref="StartExportStep"/>): SailPoint may or may not have started the export.
/// </summary>
public sealed class ExportStartInterruptedException : Exception
{
    /// <summary>Creates the exception with its standard message.</summary>
    public ExportStartInterruptedException()
        : base("An earlier attempt to start the export ended before its outcome was recorded (the process stopped or the job store could not be written).")
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/>.</summary>
    public ExportStartInterruptedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/> and its cause.</summary>
    public ExportStartInterruptedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
