using System.Text.Json;

namespace RoleMining.Api.Exports;

/// <summary>An export job as the API shows it (<c>GET /api/exports/{jobId}</c> and the 202 of an export request).</summary>
public sealed record ExportJobResource
{
    /// <summary>The job id (32 hexadecimal characters).</summary>
    public required string JobId { get; init; }

    /// <summary>The role-mining session.</summary>
    public required string SessionId { get; init; }

    /// <summary>The potential role.</summary>
    public required string PotentialRoleId { get; init; }

    /// <summary><c>queued</c>, <c>started</c>, <c>polling</c>, <c>downloading</c>, <c>succeeded</c> or <c>failed</c>.</summary>
    public required string State { get; init; }

    /// <summary>The export parameters (absent ones are SailPoint's defaults).</summary>
    public required ExportOptionsResource Options { get; init; }

    /// <summary>The absolute URL of this job: poll it until it is not 202.</summary>
    public required string StatusUrl { get; init; }

    /// <summary>When the job was created.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the job last changed.</summary>
    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>When the export was started in SailPoint.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>When the job succeeded or failed.</summary>
    public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>SailPoint's export id, once SailPoint accepted the export.</summary>
    public string? ExportId { get; init; }

    /// <summary>The export status SailPoint last reported.</summary>
    public string? ExportStatus { get; init; }

    /// <summary>The stored files, when the job succeeded.</summary>
    public IReadOnlyList<ExportArtifactResource>? Artifacts { get; init; }

    /// <summary>The job's <c>manifest.json</c>, when the job succeeded.</summary>
    public JsonElement? Manifest { get; init; }

    /// <summary>Why the job failed, when it failed.</summary>
    public ExportFailureResource? Failure { get; init; }
}

/// <summary>The parameters of an export.</summary>
public sealed record ExportOptionsResource
{
    /// <summary>The minimum popularity (0-100) of an exported entitlement.</summary>
    public int? MinEntitlementPopularity { get; init; }

    /// <summary>Whether entitlements common in the whole organisation are kept.</summary>
    public bool? IncludeCommonAccess { get; init; }
}

/// <summary>One stored file of a finished export.</summary>
public sealed record ExportArtifactResource
{
    /// <summary>The file name (<c>export.zip</c>, <c>identities.csv</c>, <c>manifest.json</c>, ...).</summary>
    public required string Name { get; init; }

    /// <summary>Its absolute download URL.</summary>
    public required string Url { get; init; }

    /// <summary>Size in bytes (absent for the manifest).</summary>
    public long? Size { get; init; }

    /// <summary>SHA-256 of the content, lowercase hex (absent for the manifest).</summary>
    public string? Sha256 { get; init; }

    /// <summary>Data rows of a CSV file.</summary>
    public long? RowCount { get; init; }
}

/// <summary>Why a job failed.</summary>
public sealed record ExportFailureResource
{
    /// <summary>
    /// <c>StartRejected</c>, <c>StartUncertain</c>, <c>ExportError</c>, <c>PollTimeout</c>, <c>DownloadRejected</c>,
    /// <c>InvalidArchive</c>, <c>RepeatedFailure</c> or <c>StorageFull</c>.
    /// </summary>
    public required string Kind { get; init; }

    /// <summary>What happened and what to do, in words.</summary>
    public required string Reason { get; init; }

    /// <summary>The step that failed: <c>Start</c>, <c>Poll</c> or <c>Download</c>.</summary>
    public required string Step { get; init; }
}

/// <summary>The export of every potential role of a session (<c>GET /api/sessions/{sessionId}/exports/{batchId}</c>).</summary>
public sealed record SessionExportResource
{
    /// <summary>The batch id (32 hexadecimal characters).</summary>
    public required string BatchId { get; init; }

    /// <summary>The role-mining session.</summary>
    public required string SessionId { get; init; }

    /// <summary><c>running</c> while any job runs, then <c>completed</c> (look at <see cref="Failed"/>).</summary>
    public required string State { get; init; }

    /// <summary>The absolute URL of this batch: poll it until it is not 202.</summary>
    public required string StatusUrl { get; init; }

    /// <summary>Jobs in the batch.</summary>
    public int Total { get; init; }

    /// <summary>Jobs still running.</summary>
    public int Running { get; init; }

    /// <summary>Jobs that succeeded.</summary>
    public int Succeeded { get; init; }

    /// <summary>Jobs that failed.</summary>
    public int Failed { get; init; }

    /// <summary>The jobs, one per potential role.</summary>
    public required IReadOnlyList<SessionExportJobResource> Jobs { get; init; }
}

/// <summary>One job of a session-wide export.</summary>
public sealed record SessionExportJobResource
{
    /// <summary>The job id.</summary>
    public required string JobId { get; init; }

    /// <summary>The potential role.</summary>
    public required string PotentialRoleId { get; init; }

    /// <summary>The job's state (see <see cref="ExportJobResource.State"/>).</summary>
    public required string State { get; init; }

    /// <summary>The absolute URL of the job.</summary>
    public required string StatusUrl { get; init; }

    /// <summary>Why the job failed, when it failed.</summary>
    public ExportFailureResource? Failure { get; init; }
}
