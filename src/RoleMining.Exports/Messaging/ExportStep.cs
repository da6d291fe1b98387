namespace RoleMining.Exports;

/// <summary>The steps of the export chain; each has its own queue (<see cref="ExportQueueNames"/>).</summary>
public enum ExportStep
{
    /// <summary>Claim the job and ask SailPoint to start the export.</summary>
    Start = 0,

    /// <summary>Read the export's status and schedule the next poll or the download.</summary>
    Poll,

    /// <summary>Stream the zip into the artifact store, verify and unpack it, write the manifest.</summary>
    Download,

    /// <summary>Call the completion callback of an ended job (retried with backoff until delivered or given up).</summary>
    Callback,
}
