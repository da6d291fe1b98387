namespace RoleMining.Exports;

/// <summary>
/// Where a job's files live, laid out to be found by eye: <c>{sessionId}/{potentialRoleId}/{jobId}/export.zip</c>, the
/// CSV files beside it and <c>manifest.json</c>. The manifest is written last and marks the folder complete; readers
/// ignore folders without it. Work in progress goes under <c>{folder}/.staging/{leaseId}/</c>.
/// </summary>
public static class ExportArtifactLayout
{
    /// <summary>The stored zip, byte for byte as SailPoint served it.</summary>
    public const string ZipFileName = "export.zip";

    /// <summary>The completeness marker and description of a folder.</summary>
    public const string ManifestFileName = "manifest.json";

    /// <summary>The folder of unpublished work inside a job folder.</summary>
    public const string StagingFolderName = ".staging";

    /// <summary><c>{sessionId}/{potentialRoleId}/{jobId}</c>.</summary>
    public static string JobFolder(ExportJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return JobFolder(job.SessionId, job.PotentialRoleId, job.JobId);
    }

    /// <summary><c>{sessionId}/{potentialRoleId}/{jobId}</c>.</summary>
    public static string JobFolder(string sessionId, string potentialRoleId, string jobId)
    {
        ExportJobIds.ThrowIfUnsafe(sessionId, nameof(sessionId));
        ExportJobIds.ThrowIfUnsafe(potentialRoleId, nameof(potentialRoleId));
        ExportJobIds.ThrowIfUnsafe(jobId, nameof(jobId));
        return $"{sessionId}/{potentialRoleId}/{jobId}";
    }

    /// <summary>The published path of <paramref name="fileName"/> in the job folder.</summary>
    public static string FilePath(ExportJob job, string fileName) => JobFolder(job) + "/" + fileName;

    /// <summary>The prefix of every staging file of the job.</summary>
    public static string StagingPrefix(ExportJob job) => JobFolder(job) + "/" + StagingFolderName + "/";

    /// <summary>The staging path of <paramref name="fileName"/> for one download attempt.</summary>
    public static string StagingPath(ExportJob job, string attemptId, string fileName)
    {
        ExportJobIds.ThrowIfUnsafe(attemptId, nameof(attemptId));
        return StagingPrefix(job) + attemptId + "/" + fileName;
    }

    /// <summary>Whether <paramref name="path"/> is a staging file (listings of published files skip them).</summary>
    public static bool IsStagingPath(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return path.Contains("/" + StagingFolderName + "/", StringComparison.Ordinal)
            || path.StartsWith(StagingFolderName + "/", StringComparison.Ordinal);
    }
}
