namespace RoleMining.Exports;

/// <summary>
/// One step of the export chain: a function of (message, stores, client) to the next messages. It never sends them itself
/// (<see cref="ExportWorkflow"/> does), and it may run twice for one message, concurrently or after a crash.
/// </summary>
public interface IExportStep
{
    /// <summary>The step this implements.</summary>
    ExportStep HandledStep { get; }

    /// <summary>Runs the step for <paramref name="message"/>.</summary>
    /// <exception cref="Exception">A failure worth retrying: the host delivers the message again (up to the max attempts).</exception>
    Task<ExportStepResult> ExecuteAsync(ExportMessage message, ExportDelivery delivery, CancellationToken cancellationToken = default);
}
