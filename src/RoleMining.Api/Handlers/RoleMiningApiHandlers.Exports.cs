using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Net.Http.Headers;
using RoleMining.Api.Diagnostics;
using RoleMining.Api.Exports;
using RoleMining.Api.Problems;
using RoleMining.Api.Routing;
using RoleMining.Api.Serialization;
using RoleMining.Api.Validation;
using RoleMining.Exports;

namespace RoleMining.Api;

public sealed partial class RoleMiningApiHandlers
{
    private const string RetryAfterHeader = "Retry-After";
    private const string SingleExportKeyPrefix = "api:";
    private const string BatchKeyPrefix = "api-batch:";

    private static readonly FileExtensionContentTypeProvider ContentTypes = CreateContentTypes();

    /// <summary>
    /// <c>POST /api/sessions/{sessionId}/potential-roles/{potentialRoleId}/exports</c>: starts an export job and answers
    /// <c>202 Accepted</c> with <c>Location</c> (the job, to poll), <c>Retry-After</c> and the job. With an
    /// <c>Idempotency-Key</c>, a repeated request answers 202 with the same job instead of starting another; the same key
    /// for a different export is a 422.
    /// </summary>
    public Task<IResult> StartPotentialRoleExportAsync(HttpRequest request, string sessionId, string potentialRoleId, CancellationToken cancellationToken) =>
        RunAsync(request, ApiRoutes.StartPotentialRoleExport, async () =>
        {
            var errors = new RequestErrors();
            new QueryReader(request.Query, errors).RejectUnknown();
            RequireSailPointId(errors, nameof(sessionId), sessionId);
            RequireSailPointId(errors, nameof(potentialRoleId), potentialRoleId);
            var key = IdempotencyKeyReader.Read(request, errors);
            ContentNegotiation.Choose(request, errors, ContentNegotiation.Json);
            if (errors.Any)
            {
                return ApiProblems.Validation(request, errors);
            }

            var (options, callback, problem) = await ExportRequestBodyReader.ReadAsync(request, _callbackNames, cancellationToken).ConfigureAwait(false);
            if (problem is not null)
            {
                return problem;
            }

            var jobKey = key is null ? null : SingleExportKeyPrefix + key;
            var known = jobKey is null ? null : await _jobs.GetAsync(ExportJobIds.FromIdempotencyKey(jobKey), cancellationToken).ConfigureAwait(false);
            if (known is null)
            {
                // A 404 now, rather than a job that fails later: SailPoint is asked whether the role exists. A retried
                // request whose job exists skips this, so it gets its job back even while SailPoint is down.
                await _client.GetPotentialRoleSummaryAsync(sessionId, potentialRoleId, cancellationToken).ConfigureAwait(false);
            }

            ExportJobCreation creation;
            try
            {
                creation = await _jobs.CreateAsync(new ExportJobRequest
                {
                    SessionId = sessionId,
                    PotentialRoleId = potentialRoleId,
                    Options = options!,
                    IdempotencyKey = jobKey,
                    Callback = callback,
                }, cancellationToken).ConfigureAwait(false);
            }
            catch (ExportJobConflictException exception)
            {
                return IdempotencyConflict(request, exception);
            }

            var job = creation.Job;
            Log.ExportRequested(_logger, job.JobId, sessionId, potentialRoleId, creation.Created ? "created" : "reused", key is not null);
            var location = _links.Export(request, job.JobId);
            return new HeaderResult(
                Json(ToResource(request, job, manifest: null), ApiJsonContext.Default.ExportJobResource, StatusCodes.Status202Accepted),
                (HeaderNames.Location, location),
                (RetryAfterHeader, RetryAfter(job)));
        }, cancellationToken);

    /// <summary>
    /// <c>POST /api/sessions/{sessionId}/exports</c>: starts an export job for every potential role of the session and
    /// answers <c>202 Accepted</c> with <c>Location</c> (the batch, to poll), <c>Retry-After</c> and the jobs. A session
    /// without potential roles is answered 200 with an empty, completed batch. <c>Idempotency-Key</c> works as for one role.
    /// </summary>
    public Task<IResult> StartSessionExportAsync(HttpRequest request, string sessionId, CancellationToken cancellationToken) =>
        RunAsync(request, ApiRoutes.StartSessionExport, async () =>
        {
            var errors = new RequestErrors();
            new QueryReader(request.Query, errors).RejectUnknown();
            RequireSailPointId(errors, nameof(sessionId), sessionId);
            var key = IdempotencyKeyReader.Read(request, errors);
            ContentNegotiation.Choose(request, errors, ContentNegotiation.Json);
            if (errors.Any)
            {
                return ApiProblems.Validation(request, errors);
            }

            var (options, callback, problem) = await ExportRequestBodyReader.ReadAsync(request, _callbackNames, cancellationToken).ConfigureAwait(false);
            if (problem is not null)
            {
                return problem;
            }

            var roleIds = new List<string>();
            await foreach (var role in _client.GetPotentialRoleSummariesAsync(sessionId, null, cancellationToken).ConfigureAwait(false))
            {
                if (role.Id is { } id && ApiIds.IsSailPointId(id) && !roleIds.Contains(id, StringComparer.Ordinal))
                {
                    roleIds.Add(id);
                }

                if (roleIds.Count > _options.MaxRolesPerSessionExport)
                {
                    return ApiProblems.Problem(
                        request,
                        StatusCodes.Status422UnprocessableEntity,
                        "The session has too many potential roles for one request.",
                        $"The session has more than {_options.MaxRolesPerSessionExport} potential roles. Export them one by one, or raise RoleMining:Api:MaxRolesPerSessionExport.");
                }
            }

            var batchId = key is null ? ExportJobIds.NewJobId() : BatchIdOf(sessionId, key);
            var created = new ExportJobCreation[roleIds.Count];
            try
            {
                await Parallel.ForEachAsync(
                    Enumerable.Range(0, roleIds.Count),
                    new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken },
                    async (index, token) => created[index] = await _jobs.CreateAsync(new ExportJobRequest
                    {
                        SessionId = sessionId,
                        PotentialRoleId = roleIds[index],
                        Options = options!,
                        IdempotencyKey = BatchKeyPrefix + batchId + ":" + roleIds[index],
                        Callback = callback,
                    }, token).ConfigureAwait(false)).ConfigureAwait(false);
            }
            catch (ExportJobConflictException exception)
            {
                return IdempotencyConflict(request, exception);
            }

            Log.SessionExportRequested(_logger, batchId, sessionId, created.Count(creation => creation.Created), created.Count(creation => !creation.Created));
            var batch = ToBatch(request, sessionId, batchId, created.Select(creation => creation.Job).ToList());
            if (batch.Total == 0)
            {
                return Json(batch, ApiJsonContext.Default.SessionExportResource);
            }

            return new HeaderResult(
                Json(batch, ApiJsonContext.Default.SessionExportResource, StatusCodes.Status202Accepted),
                (HeaderNames.Location, batch.StatusUrl),
                (RetryAfterHeader, ApiProblems.RetryAfterSeconds(_options.ExportRetryAfter)));
        }, cancellationToken);

    /// <summary>
    /// <c>GET /api/sessions/{sessionId}/exports/{batchId}</c>: <c>202</c> with <c>Location</c> and <c>Retry-After</c> while
    /// any job of the batch runs; <c>200</c> when every job ended (succeeded or failed: see <c>failed</c>).
    /// </summary>
    public Task<IResult> GetSessionExportAsync(HttpRequest request, string sessionId, string batchId, CancellationToken cancellationToken) =>
        RunAsync(request, ApiRoutes.GetSessionExport, async () =>
        {
            var errors = new RequestErrors();
            new QueryReader(request.Query, errors).RejectUnknown();
            RequireSailPointId(errors, nameof(sessionId), sessionId);
            RequireJobId(errors, nameof(batchId), batchId);
            ContentNegotiation.Choose(request, errors, ContentNegotiation.Json);
            if (errors.Any)
            {
                return ApiProblems.Validation(request, errors);
            }

            batchId = ApiIds.NormalizeJobId(batchId);
            var prefix = BatchKeyPrefix + batchId + ":";
            var jobs = new List<ExportJob>();
            await foreach (var job in _jobs.QueryAsync(new ExportJobQuery { SessionId = sessionId }, cancellationToken).ConfigureAwait(false))
            {
                if (job.IdempotencyKey is { } jobKey && jobKey.StartsWith(prefix, StringComparison.Ordinal))
                {
                    jobs.Add(job);
                }
            }

            if (jobs.Count == 0)
            {
                return ApiProblems.NotFound(request, $"Session export '{batchId}' of session '{sessionId}' does not exist.", "SessionExport", batchId);
            }

            var batch = ToBatch(request, sessionId, batchId, jobs);
            if (batch.Running == 0)
            {
                return Json(batch, ApiJsonContext.Default.SessionExportResource);
            }

            var soonest = jobs.Where(job => !job.IsTerminal).Min(job => RetryAfterSpan(job));
            return new HeaderResult(
                Json(batch, ApiJsonContext.Default.SessionExportResource, StatusCodes.Status202Accepted),
                (HeaderNames.Location, batch.StatusUrl),
                (RetryAfterHeader, ApiProblems.RetryAfterSeconds(soonest)));
        }, cancellationToken);

    /// <summary>
    /// <c>GET /api/exports/{jobId}</c>: <c>202</c> with <c>Location</c> (itself) and <c>Retry-After</c> while the job runs,
    /// so that Logic Apps and Power Automate keep polling by themselves; <c>200</c> with the job, its artifacts and its
    /// manifest when it succeeded; a problem when it failed: <c>422</c> when SailPoint refused to start the export (fix the
    /// request), <c>502</c> for every failure on SailPoint's side or in the downloaded data. Its extensions carry
    /// <c>jobId</c>, <c>failureKind</c> and <c>failedStep</c>.
    /// </summary>
    public Task<IResult> GetExportAsync(HttpRequest request, string jobId, CancellationToken cancellationToken) =>
        RunAsync(request, ApiRoutes.GetExport, async () =>
        {
            var errors = new RequestErrors();
            new QueryReader(request.Query, errors).RejectUnknown();
            RequireJobId(errors, nameof(jobId), jobId);
            ContentNegotiation.Choose(request, errors, ContentNegotiation.Json);
            if (errors.Any)
            {
                return ApiProblems.Validation(request, errors);
            }

            var job = await _jobs.GetAsync(ApiIds.NormalizeJobId(jobId), cancellationToken).ConfigureAwait(false);
            if (job is null)
            {
                return ApiProblems.NotFound(request, $"Export job '{jobId}' does not exist.", "ExportJob", jobId);
            }

            switch (job.State)
            {
                case ExportJobState.Succeeded:
                    var manifest = await ReadManifestAsync(job, cancellationToken).ConfigureAwait(false);
                    return Json(ToResource(request, job, manifest), ApiJsonContext.Default.ExportJobResource);
                case ExportJobState.Failed:
                    return FailedJob(request, job);
                default:
                    return new HeaderResult(
                        Json(ToResource(request, job, manifest: null), ApiJsonContext.Default.ExportJobResource, StatusCodes.Status202Accepted),
                        (HeaderNames.Location, _links.Export(request, job.JobId)),
                        (RetryAfterHeader, RetryAfter(job)));
            }
        }, cancellationToken);

    /// <summary>
    /// <c>GET /api/exports/{jobId}/artifacts/{name}</c>: streams one file of a succeeded job (<c>export.zip</c>, a CSV file
    /// or <c>manifest.json</c>) with its <c>Content-Type</c>, <c>Content-Length</c> and an <c>ETag</c> of its SHA-256;
    /// ranges are supported, so a broken download can resume. <paramref name="name"/> must be a file the job lists.
    /// </summary>
    public Task<IResult> GetExportArtifactAsync(HttpRequest request, string jobId, string name, CancellationToken cancellationToken) =>
        RunAsync(request, ApiRoutes.GetExportArtifact, async () =>
        {
            var errors = new RequestErrors();
            new QueryReader(request.Query, errors).RejectUnknown();
            RequireJobId(errors, nameof(jobId), jobId);
            if (!ApiIds.IsFileName(name))
            {
                errors.Add(nameof(name), "'name' must be a file name of the export, e.g. export.zip.");
            }

            if (errors.Any)
            {
                return ApiProblems.Validation(request, errors);
            }

            var job = await _jobs.GetAsync(ApiIds.NormalizeJobId(jobId), cancellationToken).ConfigureAwait(false);
            if (job is null)
            {
                return ApiProblems.NotFound(request, $"Export job '{jobId}' does not exist.", "ExportJob", jobId);
            }

            if (job.State != ExportJobState.Succeeded)
            {
                var extensions = new Dictionary<string, object?> { ["jobId"] = job.JobId, ["state"] = StateName(job.State) };
                return ApiProblems.Problem(
                    request,
                    StatusCodes.Status409Conflict,
                    "The export has no files.",
                    $"Export job '{job.JobId}' is {StateName(job.State)}; its files exist once it succeeded.",
                    extensions);
            }

            var artifact = job.Artifacts.FirstOrDefault(item => string.Equals(item.Name, name, StringComparison.Ordinal));
            var isManifest = string.Equals(name, ExportArtifactLayout.ManifestFileName, StringComparison.Ordinal);
            if (artifact is null && !isManifest)
            {
                var known = string.Join(", ", job.Artifacts.Select(item => item.Name).Append(ExportArtifactLayout.ManifestFileName));
                return ApiProblems.NotFound(request, $"Export job '{job.JobId}' has no file '{name}'; it has: {known}.", "ExportArtifact", name);
            }

            var path = artifact?.Path ?? ExportArtifactLayout.FilePath(job, ExportArtifactLayout.ManifestFileName);
            var stream = await _artifacts.OpenReadAsync(path, cancellationToken).ConfigureAwait(false);
            if (stream is null)
            {
                return ApiProblems.NotFound(request, $"The file '{name}' of export job '{job.JobId}' is no longer stored.", "ExportArtifact", name);
            }

            if (!ContentTypes.TryGetContentType(name, out var contentType))
            {
                contentType = "application/octet-stream";
            }

            return TypedResults.Stream(
                stream,
                contentType,
                fileDownloadName: name,
                lastModified: job.CompletedAt,
                entityTag: artifact is null ? null : new EntityTagHeaderValue("\"" + artifact.Sha256 + "\""),
                enableRangeProcessing: stream.CanSeek);
        }, cancellationToken);

    /// <summary>The standard mapping, with the IANA type of zip files (the mapping's default is Windows' <c>application/x-zip-compressed</c>).</summary>
    private static FileExtensionContentTypeProvider CreateContentTypes()
    {
        var provider = new FileExtensionContentTypeProvider();
        provider.Mappings[".zip"] = "application/zip";
        return provider;
    }

    private static string BatchIdOf(string sessionId, string key)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes("rolemining-session-export:" + sessionId + ":" + key));
        return Convert.ToHexStringLower(hash.AsSpan(0, 16));
    }

    /// <summary>The lowercase state names of the API.</summary>
    internal static string StateName(ExportJobState state) => state switch
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
    internal static ExportFailureResource? ToFailure(ExportJob job) => job.Failure is { } failure
        ? new ExportFailureResource { Kind = failure.Kind.ToString(), Reason = failure.Reason, Step = failure.Step.ToString() }
        : null;

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

    private static IResult IdempotencyConflict(HttpRequest request, ExportJobConflictException exception)
    {
        var extensions = new Dictionary<string, object?>();
        if (exception.ExistingJob is { } existing)
        {
            extensions["existingJobId"] = existing.JobId;
        }

        return ApiProblems.Problem(
            request,
            StatusCodes.Status422UnprocessableEntity,
            "The Idempotency-Key was used for a different export.",
            "This Idempotency-Key was already used for an export of another potential role or with other options; use a new key for a new export.",
            extensions);
    }

    private IResult FailedJob(HttpRequest request, ExportJob job)
    {
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
            ["statusUrl"] = _links.Export(request, job.JobId),
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

    private ExportJobResource ToResource(HttpRequest request, ExportJob job, JsonElement? manifest)
    {
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
            StatusUrl = _links.Export(request, job.JobId),
            CreatedAt = job.CreatedAt,
            UpdatedAt = job.UpdatedAt,
            StartedAt = job.StartedAt,
            CompletedAt = job.CompletedAt,
            ExportId = job.ExportId,
            ExportStatus = job.ExportStatus,
            Artifacts = _links.Artifacts(request, job),
            Manifest = manifest,
            Failure = ToFailure(job),
            Callback = ToCallback(job),
        };
    }

    private SessionExportResource ToBatch(HttpRequest request, string sessionId, string batchId, List<ExportJob> jobs)
    {
        var ordered = jobs.OrderBy(job => job.CreatedAt).ThenBy(job => job.PotentialRoleId, StringComparer.Ordinal).ToList();
        var running = ordered.Count(job => !job.IsTerminal);
        return new SessionExportResource
        {
            BatchId = batchId,
            SessionId = sessionId,
            State = running == 0 ? "completed" : "running",
            StatusUrl = _links.SessionExport(request, sessionId, batchId),
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
                    StatusUrl = _links.Export(request, job.JobId),
                    Failure = ToFailure(job),
                }),
            ],
        };
    }

    private async Task<JsonElement?> ReadManifestAsync(ExportJob job, CancellationToken cancellationToken)
    {
        var stream = await _artifacts.OpenReadAsync(ExportArtifactLayout.FilePath(job, ExportArtifactLayout.ManifestFileName), cancellationToken).ConfigureAwait(false);
        if (stream is null)
        {
            Log.ManifestUnreadable(_logger, job.JobId, null);
            return null;
        }

        await using (stream.ConfigureAwait(false))
        {
            try
            {
                using var document = await JsonDocument.ParseAsync(stream, default, cancellationToken).ConfigureAwait(false);
                return document.RootElement.Clone();
            }
            catch (JsonException exception)
            {
                Log.ManifestUnreadable(_logger, job.JobId, exception);
                return null;
            }
        }
    }

    private string RetryAfter(ExportJob job) => ApiProblems.RetryAfterSeconds(RetryAfterSpan(job));

    /// <summary>Until the job's next step is due (when that is known and ahead), within 1 s and the configured maximum.</summary>
    private TimeSpan RetryAfterSpan(ExportJob job)
    {
        var now = _timeProvider.GetUtcNow();
        var wait = job.NextStepDueAt is { } due && due > now ? due - now : _options.ExportRetryAfter;
        return wait > _options.MaxExportRetryAfter ? _options.MaxExportRetryAfter : wait;
    }
}
