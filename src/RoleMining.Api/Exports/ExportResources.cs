using System.Text.Json;
using System.Text.Json.Serialization;

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

    /// <summary>The completion callback the request named, and how its delivery goes.</summary>
    public ExportCallbackResource? Callback { get; init; }
}

/// <summary>
/// A job's completion callback: where its delivery is, and why it failed if it did. Members without a value are left out
/// wherever it is written, the problem document of a failed job included (its serializer writes nulls).
/// </summary>
public sealed record ExportCallbackResource
{
    /// <summary>The configured callback's name.</summary>
    public required string Name { get; init; }

    /// <summary><c>pending</c>, <c>delivered</c> or <c>failed</c>.</summary>
    public required string State { get; init; }

    /// <summary>Delivery attempts so far.</summary>
    public int Attempts { get; init; }

    /// <summary>When the last attempt began.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? LastAttemptAt { get; init; }

    /// <summary>When the next attempt is due.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? NextAttemptAt { get; init; }

    /// <summary>When the receiver accepted the call.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? DeliveredAt { get; init; }

    /// <summary>Why the last attempt failed.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? LastError { get; init; }
}

/// <summary>
/// The body of a completion callback: <c>{"input": {...}}</c>, the shape a SailPoint Workflow's external trigger takes
/// (<c>POST /workflows/execute/external/{id}</c>); the workflow reads it as <c>$.trigger.*</c>.
/// </summary>
public sealed record ExportCallbackEnvelope
{
    /// <summary>What happened.</summary>
    public required ExportCallbackPayload Input { get; init; }
}

/// <summary>The outcome of an ended export job, with the links to fetch its files.</summary>
public sealed record ExportCallbackPayload
{
    /// <summary>The job id: the same id in every delivery of this callback, for the receiver to recognise a repeat.</summary>
    public required string JobId { get; init; }

    /// <summary><c>succeeded</c> or <c>failed</c>.</summary>
    public required string State { get; init; }

    /// <summary>The role-mining session.</summary>
    public required string SessionId { get; init; }

    /// <summary>The potential role.</summary>
    public required string PotentialRoleId { get; init; }

    /// <summary>The absolute URL of the job (GET it with the API's credentials for every detail).</summary>
    public required string StatusUrl { get; init; }

    /// <summary>When the job ended.</summary>
    public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>The stored files and their download links, when the job succeeded.</summary>
    public IReadOnlyList<ExportArtifactResource>? Artifacts { get; init; }

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
