using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.StaticFiles;
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
/// The requests that follow exports: a job, a session-wide batch, the files of a succeeded job. A job or batch that still
/// runs is answered <c>202</c> with <c>Location</c> and <c>Retry-After</c>, so that Logic Apps and Power Automate keep
/// polling by themselves.
/// </summary>
public sealed class ExportStatusHandlers : ApiHandlers
{
    private static readonly FileExtensionContentTypeProvider ContentTypes = CreateContentTypes();

    private readonly ExportJobService _jobs;
    private readonly IExportArtifactStore _artifacts;
    private readonly ExportRepresentation _representation;
    private readonly IRoleMiningClient _client;

    /// <summary>Creates the handlers.</summary>
    public ExportStatusHandlers(
        ExportJobService jobs,
        IExportArtifactStore artifacts,
        ExportRepresentation representation,
        IRoleMiningClient client,
        IOptions<RoleMiningApiOptions> options,
        ILogger<ExportStatusHandlers> logger)
        : base(options?.Value!, logger)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        ArgumentNullException.ThrowIfNull(artifacts);
        ArgumentNullException.ThrowIfNull(representation);
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
        _jobs = jobs;
        _artifacts = artifacts;
        _representation = representation;
    }

    /// <summary>
    /// <c>GET /api/sessions/{sessionId}/exports/{batchId}</c>: <c>202</c> with <c>Location</c> and <c>Retry-After</c> while
    /// any job of the batch runs; <c>200</c> when every job ended (succeeded or failed: see <c>failed</c>), and for the
    /// empty batch of a session without potential roles.
    /// </summary>
    public Task<IResult> GetSessionExportAsync(HttpRequest request, string sessionId, string batchId, CancellationToken cancellationToken) =>
        RunAsync(request, ApiRoutes.GetSessionExport, async () =>
        {
            var check = RequestCheck.Of(request).SailPointId(nameof(sessionId), sessionId).JobId(nameof(batchId), batchId);
            check.Accept(ContentNegotiation.Json);
            if (check.Problem is { } problem)
            {
                return problem;
            }

            sessionId = ApiIds.NormalizeSailPointId(sessionId);
            batchId = ApiIds.NormalizeJobId(batchId);
            var jobs = await ExportRepresentation.BatchJobsAsync(_jobs, sessionId, batchId, cancellationToken).ConfigureAwait(false);

            if (jobs.Count == 0)
            {
                // The batch of a session without potential roles has no job to find it by: it is the empty, completed
                // batch its start request answered (whose statusUrl points here), as long as the session has none.
                if (string.Equals(batchId, ExportRepresentation.EmptyBatchIdOf(sessionId), StringComparison.Ordinal)
                    && !await _client.GetPotentialRoleSummariesAsync(sessionId, new CollectionQuery { PageSize = 1 }, cancellationToken).AnyAsync(cancellationToken).ConfigureAwait(false))
                {
                    return Json(_representation.ToBatch(request, sessionId, batchId, jobs), ApiJsonContext.Default.SessionExportResource);
                }

                return ApiProblems.NotFound(request, $"Session export '{batchId}' of session '{sessionId}' does not exist.", "SessionExport", batchId);
            }

            var batch = _representation.ToBatch(request, sessionId, batchId, jobs);
            if (batch.Running == 0)
            {
                return Json(batch, ApiJsonContext.Default.SessionExportResource);
            }

            var soonest = jobs.Where(job => !job.IsTerminal).Min(_representation.RetryAfterSpan);
            return new HeaderResult(
                Json(batch, ApiJsonContext.Default.SessionExportResource, StatusCodes.Status202Accepted),
                (HeaderNames.Location, batch.StatusUrl),
                (ExportRepresentation.RetryAfterHeader, ApiProblems.RetryAfterSeconds(soonest)));
        }, cancellationToken);

    /// <summary>
    /// <c>GET /api/exports/{jobId}</c>: <c>202</c> with <c>Location</c> (itself) and <c>Retry-After</c> while the job runs;
    /// <c>200</c> with the job, its artifacts and its manifest when it succeeded; the problem of a failed job
    /// (<see cref="ExportRepresentation.FailedJob"/>) when it failed.
    /// </summary>
    public Task<IResult> GetExportAsync(HttpRequest request, string jobId, CancellationToken cancellationToken) =>
        RunAsync(request, ApiRoutes.GetExport, async () =>
        {
            var check = RequestCheck.Of(request).JobId(nameof(jobId), jobId);
            check.Accept(ContentNegotiation.Json);
            if (check.Problem is { } problem)
            {
                return problem;
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
                    return Json(_representation.ToResource(request, job, manifest), ApiJsonContext.Default.ExportJobResource);
                case ExportJobState.Failed:
                    return _representation.FailedJob(request, job);
                default:
                    return new HeaderResult(
                        Json(_representation.ToResource(request, job, manifest: null), ApiJsonContext.Default.ExportJobResource, StatusCodes.Status202Accepted),
                        (HeaderNames.Location, _representation.Links.Export(request, job.JobId)),
                        (ExportRepresentation.RetryAfterHeader, _representation.RetryAfter(job)));
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
            var check = RequestCheck.Of(request).JobId(nameof(jobId), jobId);
            if (!ApiIds.IsFileName(name))
            {
                check.Errors.Add(nameof(name), "'name' must be a file name of the export, e.g. export.zip.");
            }

            if (check.Problem is { } problem)
            {
                return problem;
            }

            var job = await _jobs.GetAsync(ApiIds.NormalizeJobId(jobId), cancellationToken).ConfigureAwait(false);
            if (job is null)
            {
                return ApiProblems.NotFound(request, $"Export job '{jobId}' does not exist.", "ExportJob", jobId);
            }

            if (job.State != ExportJobState.Succeeded)
            {
                var state = ExportRepresentation.StateName(job.State);
                return ApiProblems.Problem(
                    request,
                    StatusCodes.Status409Conflict,
                    "The export has no files.",
                    $"Export job '{job.JobId}' is {state}; its files exist once it succeeded.",
                    new Dictionary<string, object?> { ["jobId"] = job.JobId, ["state"] = state });
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

            var sha256 = artifact?.Sha256;
            if (artifact is null)
            {
                // The manifest's hash is recorded nowhere (it lists the others'); it is small, so it is read and hashed here,
                // which gives it the ETag the other files have (conditional requests, If-Range).
                var buffered = new MemoryStream();
                await using (stream.ConfigureAwait(false))
                {
                    await stream.CopyToAsync(buffered, cancellationToken).ConfigureAwait(false);
                }

                sha256 = Convert.ToHexStringLower(SHA256.HashData(buffered.GetBuffer().AsSpan(0, (int)buffered.Length)));
                buffered.Position = 0;
                stream = buffered;
            }

            return TypedResults.Stream(
                stream,
                contentType,
                fileDownloadName: name,
                lastModified: job.CompletedAt,
                entityTag: new EntityTagHeaderValue("\"" + sha256 + "\""),
                enableRangeProcessing: stream.CanSeek);
        }, cancellationToken);

    /// <summary>The standard mapping, with the IANA type of zip files (the mapping's default is Windows' <c>application/x-zip-compressed</c>).</summary>
    private static FileExtensionContentTypeProvider CreateContentTypes()
    {
        var provider = new FileExtensionContentTypeProvider();
        provider.Mappings[".zip"] = "application/zip";
        return provider;
    }

    private async Task<JsonElement?> ReadManifestAsync(ExportJob job, CancellationToken cancellationToken)
    {
        var stream = await _artifacts.OpenReadAsync(ExportArtifactLayout.FilePath(job, ExportArtifactLayout.ManifestFileName), cancellationToken).ConfigureAwait(false);
        if (stream is null)
        {
            Log.ManifestUnreadable(Logger, job.JobId, null);
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
                Log.ManifestUnreadable(Logger, job.JobId, exception);
                return null;
            }
        }
    }
}
