using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using RoleMining.Api.Diagnostics;
using RoleMining.Api.Exports;
using RoleMining.Api.Problems;
using RoleMining.Api.Routing;
using RoleMining.Api.Serialization;
using RoleMining.Api.Validation;
using RoleMining.Exports;
using RoleMining.SailPoint;

namespace RoleMining.Api;

/// <summary>
/// The requests that start exports: of one potential role, or of every potential role of a session. Each answers
/// <c>202 Accepted</c> with <c>Location</c> and <c>Retry-After</c>; with an <c>Idempotency-Key</c> a repeated request gets
/// the same job or batch back instead of another.
/// </summary>
public sealed class ExportRequestHandlers : ApiHandlers
{
    private readonly IRoleMiningClient _client;
    private readonly ExportJobService _jobs;
    private readonly ExportRepresentation _representation;
    private readonly int _maxRolesPerSessionExport;
    private readonly string[] _callbackNames;

    /// <summary>Creates the handlers.</summary>
    public ExportRequestHandlers(
        IRoleMiningClient client,
        ExportJobService jobs,
        ExportRepresentation representation,
        IOptions<RoleMiningApiOptions> options,
        ILogger<ExportRequestHandlers> logger)
        : base(options?.Value!, logger)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(jobs);
        ArgumentNullException.ThrowIfNull(representation);
        _client = client;
        _jobs = jobs;
        _representation = representation;
        _maxRolesPerSessionExport = options!.Value.MaxRolesPerSessionExport;
        _callbackNames = [.. options.Value.Callbacks.Where(pair => pair.Value.IsConfigured).Select(pair => pair.Key)];
    }

    /// <summary>
    /// <c>POST /api/sessions/{sessionId}/potential-roles/{potentialRoleId}/exports</c>: starts an export job and answers
    /// <c>202 Accepted</c> with <c>Location</c> (the job, to poll), <c>Retry-After</c> and the job. With an
    /// <c>Idempotency-Key</c>, a repeated request answers 202 with the same job instead of starting another; the same key
    /// for a different export is a 422.
    /// </summary>
    public Task<IResult> StartPotentialRoleExportAsync(HttpRequest request, string sessionId, string potentialRoleId, CancellationToken cancellationToken) =>
        RunAsync(request, ApiRoutes.StartPotentialRoleExport, async () =>
        {
            var check = RequestCheck.Of(request).SailPointId(nameof(sessionId), sessionId).SailPointId(nameof(potentialRoleId), potentialRoleId);
            var (start, problem) = await ReadStartAsync(request, check, cancellationToken).ConfigureAwait(false);
            if (start is null)
            {
                return problem!;
            }

            var (key, options, callback) = start;
            sessionId = ApiIds.NormalizeSailPointId(sessionId);
            potentialRoleId = ApiIds.NormalizeSailPointId(potentialRoleId);
            var jobKey = ExportRepresentation.SingleExportKey(key);
            var known = jobKey is null ? null : await _jobs.GetAsync(_jobs.JobIdFor(jobKey), cancellationToken).ConfigureAwait(false);
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
                    Options = options,
                    IdempotencyKey = jobKey,
                    Callback = callback,
                }, cancellationToken).ConfigureAwait(false);
            }
            catch (ExportJobConflictException exception)
            {
                return IdempotencyConflict(request, exception);
            }

            var job = creation.Job;
            Log.ExportRequested(Logger, job.JobId, sessionId, potentialRoleId, creation.Created ? "created" : "reused", key is not null);
            return new HeaderResult(
                Json(_representation.ToResource(request, job, manifest: null), ApiJsonContext.Default.ExportJobResource, StatusCodes.Status202Accepted),
                (HeaderNames.Location, _representation.Links.Export(request, job.JobId)),
                (ExportRepresentation.RetryAfterHeader, _representation.RetryAfter(job)));
        }, cancellationToken);

    /// <summary>
    /// <c>POST /api/sessions/{sessionId}/exports</c>: starts an export job for every potential role of the session and
    /// answers <c>202 Accepted</c> with <c>Location</c> (the batch, to poll), <c>Retry-After</c> and the jobs. A session
    /// without potential roles is answered 200 with an empty, completed batch. <c>Idempotency-Key</c> works as for one role.
    /// </summary>
    public Task<IResult> StartSessionExportAsync(HttpRequest request, string sessionId, CancellationToken cancellationToken) =>
        RunAsync(request, ApiRoutes.StartSessionExport, async () =>
        {
            var (start, problem) = await ReadStartAsync(request, RequestCheck.Of(request).SailPointId(nameof(sessionId), sessionId), cancellationToken).ConfigureAwait(false);
            if (start is null)
            {
                return problem!;
            }

            var (key, options, callback) = start;
            var given = sessionId;
            sessionId = ApiIds.NormalizeSailPointId(sessionId);
            var batchId = key is null ? ExportJobIds.NewJobId() : ExportRepresentation.BatchIdOf(sessionId, key);
            if (key is not null && !string.Equals(given, sessionId, StringComparison.Ordinal)
                && ExportRepresentation.BatchIdOf(given, key) is var earlierBatchId
                && (await ExportRepresentation.BatchJobsAsync(_jobs, sessionId, earlierBatchId, cancellationToken).ConfigureAwait(false)).Count > 0)
            {
                // A batch started with this key before ids were lowercased took its id from the spelling given: a retry
                // continues that batch instead of starting every export again.
                batchId = earlierBatchId;
            }

            var roleIds = new List<string>();
            try
            {
                await foreach (var role in _client.GetPotentialRoleSummariesAsync(sessionId, null, cancellationToken).ConfigureAwait(false))
                {
                    if (role.Id is { } id && ApiIds.IsSailPointId(id) && ApiIds.NormalizeSailPointId(id) is var roleId && !roleIds.Contains(roleId, StringComparer.Ordinal))
                    {
                        roleIds.Add(roleId);
                    }

                    if (roleIds.Count > _maxRolesPerSessionExport)
                    {
                        return ApiProblems.Problem(
                            request,
                            StatusCodes.Status422UnprocessableEntity,
                            "The session has too many potential roles for one request.",
                            $"The session has more than {_maxRolesPerSessionExport} potential roles. Export them one by one, or raise RoleMining:Api:MaxRolesPerSessionExport.");
                    }
                }
            }
            catch (SailPointException exception) when (key is not null && (exception.Status is null || exception.Status == HttpStatusCode.TooManyRequests || (int?)exception.Status >= 500))
            {
                // A repeated request (same key) while SailPoint is down answers from the batch's jobs, as a repeated single
                // export does. While SailPoint answers, the list is asked again: it completes a batch whose first request
                // failed midway.
                var started = await ExportRepresentation.BatchJobsAsync(_jobs, sessionId, batchId, cancellationToken).ConfigureAwait(false);
                roleIds = [.. started.Select(job => job.PotentialRoleId).Distinct(StringComparer.Ordinal)];
                if (roleIds.Count == 0)
                {
                    throw;
                }
            }

            if (roleIds.Count == 0)
            {
                // Nothing is stored for a batch without jobs: its id is derived from the session, so that its status URL
                // answers and any other id of the session is a 404.
                batchId = ExportRepresentation.EmptyBatchIdOf(sessionId);
            }

            var created = new ExportJobCreation[roleIds.Count];
            try
            {
                await Parallel.ForEachAsync(
                    Enumerable.Range(0, roleIds.Count),
                    new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken },
                    async (index, token) => created[index] = await _jobs.CreateInOwnTraceAsync(new ExportJobRequest
                    {
                        SessionId = sessionId,
                        PotentialRoleId = roleIds[index],
                        Options = options,
                        IdempotencyKey = ExportRepresentation.BatchJobKey(batchId, roleIds[index]),
                        Callback = callback,
                    }, token).ConfigureAwait(false)).ConfigureAwait(false);
            }
            catch (ExportJobConflictException exception)
            {
                return IdempotencyConflict(request, exception);
            }

            Log.SessionExportRequested(Logger, batchId, sessionId, created.Count(creation => creation.Created), created.Count(creation => !creation.Created));
            var batch = _representation.ToBatch(request, sessionId, batchId, created.Select(creation => creation.Job));
            if (batch.Total == 0)
            {
                return Json(batch, ApiJsonContext.Default.SessionExportResource);
            }

            return new HeaderResult(
                Json(batch, ApiJsonContext.Default.SessionExportResource, StatusCodes.Status202Accepted),
                (HeaderNames.Location, batch.StatusUrl),
                (ExportRepresentation.RetryAfterHeader, _representation.BatchRetryAfter()));
        }, cancellationToken);

    /// <summary>
    /// What both start requests check after the ids of their route (in <paramref name="check"/>): the
    /// <c>Idempotency-Key</c>, that JSON is acceptable, then the body (export parameters and callback). Null with the
    /// problem to answer when anything is wrong.
    /// </summary>
    private async Task<(StartRequest? Start, IResult? Problem)> ReadStartAsync(HttpRequest request, RequestCheck check, CancellationToken cancellationToken)
    {
        var key = IdempotencyKeyReader.Read(request, check.Errors);
        check.Accept(ContentNegotiation.Json);
        if (check.Problem is { } problem)
        {
            return (null, problem);
        }

        var (options, callback, bodyProblem) = await ExportRequestBodyReader.ReadAsync(request, _callbackNames, cancellationToken).ConfigureAwait(false);
        return bodyProblem is null ? (new StartRequest(key, options!, callback), null) : (null, bodyProblem);
    }

    private IResult IdempotencyConflict(HttpRequest request, ExportJobConflictException exception)
    {
        Log.IdempotencyConflict(Logger, exception.ExistingJob?.JobId);
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

    /// <summary>A start request that passed its checks.</summary>
    private sealed record StartRequest(string? IdempotencyKey, ExportRequestOptions Options, string? Callback);
}
