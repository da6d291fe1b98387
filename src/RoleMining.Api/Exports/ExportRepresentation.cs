using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using RoleMining.Api.Problems;
using RoleMining.Api.Routing;
using RoleMining.Exports;

namespace RoleMining.Api.Exports;

/// <summary>
/// Export jobs as the API shows them: the resources of a job and of a session-wide batch, the problem of a failed job,
/// the state names, how long a caller should wait before polling again, and the job keys the API's requests create.
/// </summary>
public sealed class ExportRepresentation
{
    /// <summary>The header that tells a poller when to ask again.</summary>
    public const string RetryAfterHeader = "Retry-After";

    private const string SingleExportKeyPrefix = "api:";
    private const string BatchKeyPrefix = "api-batch:";

    private readonly RoleMiningApiOptions _options;
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates the representation.</summary>
    public ExportRepresentation(IOptions<RoleMiningApiOptions> options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _options = options.Value;
        _timeProvider = timeProvider;
        Links = new ApiLinks(_options);
    }

    /// <summary>The links of jobs, batches and files.</summary>
    public ApiLinks Links { get; }

    /// <summary>The lowercase state names of the API.</summary>
    public static string StateName(ExportJobState state) => state switch
    {
        ExportJobState.Queued => "queued",
        ExportJobState.Started => "started",
        ExportJobState.Polling => "polling",
        ExportJobState.Downloading => "downloading",
        ExportJobState.Succeeded => "succeeded",
        ExportJobState.Failed => "failed",
        _ => state.ToString().ToLowerInvariant(),
    };

    /// <summary>Why the job failed, as the API shows it; also the failure a completion callback reports.</summary>
    public static ExportFailureResource? ToFailure(ExportJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return job.Failure is { } failure
            ? new ExportFailureResource { Kind = failure.Kind.ToString(), Reason = failure.Reason, Step = failure.Step.ToString() }
            : null;
    }

    /// <summary>The job key of a single export requested with <paramref name="idempotencyKey"/> (null without one).</summary>
    public static string? SingleExportKey(string? idempotencyKey) => idempotencyKey is null ? null : SingleExportKeyPrefix + idempotencyKey;

    /// <summary>The batch id of a session export requested with <paramref name="idempotencyKey"/>: the same for a retried request.</summary>
    public static string BatchIdOf(string sessionId, string idempotencyKey) =>
        DerivedId("rolemining-session-export:" + sessionId + ":" + idempotencyKey);

    /// <summary>The batch id of a session export of a session without potential roles: a batch of no jobs, which nothing stores.</summary>
    public static string EmptyBatchIdOf(string sessionId) => DerivedId("rolemining-empty-session-export:" + sessionId);

    /// <summary>A job-id-shaped id (32 lowercase hex digits) derived from <paramref name="text"/>.</summary>
    private static string DerivedId(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)).AsSpan(0, 16));

    /// <summary>The job key of <paramref name="potentialRoleId"/>'s job in batch <paramref name="batchId"/>.</summary>
    public static string BatchJobKey(string batchId, string potentialRoleId) => BatchKeyPrefix + batchId + ":" + potentialRoleId;

    /// <summary>The jobs of batch <paramref name="batchId"/> of session <paramref name="sessionId"/> (none for an unknown batch).</summary>
    public static async Task<List<ExportJob>> BatchJobsAsync(ExportJobService jobs, string sessionId, string batchId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        var batch = new List<ExportJob>();
        await foreach (var job in jobs.QueryAsync(new ExportJobQuery { SessionId = sessionId }, cancellationToken).ConfigureAwait(false))
        {
            if (IsInBatch(job, batchId))
            {
                batch.Add(job);
            }
        }

        return batch;
    }

    /// <summary>Whether <paramref name="job"/> belongs to batch <paramref name="batchId"/>.</summary>
    public static bool IsInBatch(ExportJob job, string batchId)
    {
        ArgumentNullException.ThrowIfNull(job);
        return job.IdempotencyKey is { } key && key.StartsWith(BatchKeyPrefix + batchId + ":", StringComparison.Ordinal);
    }

    /// <summary>The job as the API shows it; <paramref name="manifest"/> once it succeeded.</summary>
    public ExportJobResource ToResource(HttpRequest request, ExportJob job, JsonElement? manifest)
    {
        ArgumentNullException.ThrowIfNull(job);
        return new ExportJobResource
        {
            JobId = job.JobId,
            SessionId = job.SessionId,
            PotentialRoleId = job.PotentialRoleId,
            State = StateName(job.State),
            Options = new ExportOptionsResource
            {
                MinEntitlementPopularity = job.Options.MinEntitlementPopularity,
                IncludeCommonAccess = job.Options.IncludeCommonAccess,
            },
            StatusUrl = Links.Export(request, job.JobId),
            CreatedAt = job.CreatedAt,
            UpdatedAt = job.UpdatedAt,
            StartedAt = job.StartedAt,
            CompletedAt = job.CompletedAt,
            ExportId = job.ExportId,
            ExportStatus = job.ExportStatus,
            Artifacts = Links.Artifacts(request, job),
            Manifest = manifest,
            Failure = ToFailure(job),
            Callback = ToCallback(job),
        };
    }

    /// <summary>The batch of <paramref name="jobs"/> as the API shows it.</summary>
    public SessionExportResource ToBatch(HttpRequest request, string sessionId, string batchId, IEnumerable<ExportJob> jobs)
    {
        var ordered = jobs.OrderBy(job => job.CreatedAt).ThenBy(job => job.PotentialRoleId, StringComparer.Ordinal).ToList();
        var running = ordered.Count(job => !job.IsTerminal);
        return new SessionExportResource
        {
            BatchId = batchId,
            SessionId = sessionId,
            State = running == 0 ? "completed" : "running",
            StatusUrl = Links.SessionExport(request, sessionId, batchId),
            Total = ordered.Count,
            Running = running,
            Succeeded = ordered.Count(job => job.State == ExportJobState.Succeeded),
            Failed = ordered.Count(job => job.State == ExportJobState.Failed),
            Jobs =
            [
                .. ordered.Select(job => new SessionExportJobResource
                {
                    JobId = job.JobId,
                    PotentialRoleId = job.PotentialRoleId,
                    State = StateName(job.State),
                    StatusUrl = Links.Export(request, job.JobId),
                    Failure = ToFailure(job),
                }),
            ],
        };
    }

    /// <summary>
    /// The problem of a failed job: 422 when SailPoint refused to start the export (fix the request), 502 for every failure
    /// on SailPoint's side or in the downloaded data; its extensions carry the job, the failure kind and the failed step.
    /// </summary>
    public IResult FailedJob(HttpRequest request, ExportJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        var failure = job.Failure;
        var status = failure?.Kind == ExportFailureKind.StartRejected
            ? StatusCodes.Status422UnprocessableEntity
            : StatusCodes.Status502BadGateway;
        var extensions = new Dictionary<string, object?>
        {
            ["jobId"] = job.JobId,
            ["sessionId"] = job.SessionId,
            ["potentialRoleId"] = job.PotentialRoleId,
            ["state"] = StateName(job.State),
            ["failureKind"] = failure?.Kind.ToString(),
            ["failedStep"] = failure?.Step.ToString(),
            ["statusUrl"] = Links.Export(request, job.JobId),
        };
        if (job.ExportId is not null)
        {
            extensions["exportId"] = job.ExportId;
        }

        if (ToCallback(job) is { } callback)
        {
            extensions["callback"] = callback;
        }

        return ApiProblems.Problem(request, status, "The export failed.", failure?.Reason ?? "The export job failed.", extensions);
    }

    /// <summary><see cref="RetryAfterHeader"/> for <paramref name="job"/>.</summary>
    public string RetryAfter(ExportJob job) => ApiProblems.RetryAfterSeconds(RetryAfterSpan(job));

    /// <summary><see cref="RetryAfterHeader"/> of a new batch.</summary>
    public string BatchRetryAfter() => ApiProblems.RetryAfterSeconds(_options.ExportRetryAfter);

    /// <summary>Until the job's next step is due (when that is known and ahead), within 1 s and the configured maximum.</summary>
    public TimeSpan RetryAfterSpan(ExportJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        var now = _timeProvider.GetUtcNow();
        var wait = job.NextStepDueAt is { } due && due > now ? due - now : _options.ExportRetryAfter;
        return wait > _options.MaxExportRetryAfter ? _options.MaxExportRetryAfter : wait;
    }

    private static ExportCallbackResource? ToCallback(ExportJob job) => job.Callback is { } callback
        ? new ExportCallbackResource
        {
            Name = callback.Name,
            State = callback.State.ToString().ToLowerInvariant(),
            Attempts = callback.Attempts,
            LastAttemptAt = callback.LastAttemptAt,
            NextAttemptAt = callback.NextAttemptAt,
            DeliveredAt = callback.DeliveredAt,
            LastError = callback.LastError,
        }
        : null;
}
