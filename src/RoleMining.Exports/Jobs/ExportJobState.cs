namespace RoleMining.Exports;

/// <summary>Where an export job is in its chain. <see cref="Succeeded"/> and <see cref="Failed"/> are final.</summary>
public enum ExportJobState
{
    /// <summary>
    /// Created, and the start step has not claimed it yet; or waiting to try the start again after an uncertain start
    /// (<see cref="ExportJob.UncertainStarts"/>).
    /// </summary>
    Queued = 0,

    /// <summary>A start step claimed it and is asking SailPoint to start the export (or crashed doing so).</summary>
    Started,

    /// <summary>SailPoint accepted the export (<see cref="ExportJob.ExportId"/> is set); its status is being polled.</summary>
    Polling,

    /// <summary>SailPoint finished the export; the zip is being downloaded, verified and stored.</summary>
    Downloading,

    /// <summary>The artifacts and their <c>manifest.json</c> are stored.</summary>
    Succeeded,

    /// <summary>The job ended without artifacts; <see cref="ExportJob.Failure"/> says why.</summary>
    Failed,
}
