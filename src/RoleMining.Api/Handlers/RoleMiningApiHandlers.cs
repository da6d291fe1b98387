using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RoleMining.Api.Diagnostics;
using RoleMining.Api.Problems;
using RoleMining.Api.Routing;
using RoleMining.Api.Validation;
using RoleMining.Exports;
using RoleMining.SailPoint;
using RoleMining.SailPoint.Serialization;

namespace RoleMining.Api;

/// <summary>
/// The handlers of every API operation: <see cref="HttpRequest"/> and the route values in, <see cref="IResult"/> out. The
/// Azure Functions triggers (<c>[HttpTrigger] HttpRequest req</c>), the local host's minimal-API endpoints
/// (<see cref="RoleMiningApiEndpoints.MapRoleMiningApi"/>) and the tests call these same methods. A handler never throws:
/// bad input is a 400 problem, an unknown resource 404, SailPoint trouble 502/503 with SailPoint's <c>trackingId</c>, and
/// anything unforeseen a logged 500 problem without details.
/// </summary>
public sealed partial class RoleMiningApiHandlers
{
    private const string JsonContentType = "application/json; charset=utf-8";

    private readonly IRoleMiningClient _client;
    private readonly ExportJobService _jobs;
    private readonly IExportArtifactStore _artifacts;
    private readonly RoleMiningApiOptions _options;
    private readonly ApiLinks _links;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<RoleMiningApiHandlers> _logger;
    private readonly string[] _callbackNames;

    /// <summary>Creates the handlers.</summary>
    public RoleMiningApiHandlers(
        IRoleMiningClient client,
        ExportJobService jobs,
        IExportArtifactStore artifacts,
        IOptions<RoleMiningApiOptions> options,
        TimeProvider timeProvider,
        ILogger<RoleMiningApiHandlers> logger)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(jobs);
        ArgumentNullException.ThrowIfNull(artifacts);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        _client = client;
        _jobs = jobs;
        _artifacts = artifacts;
        _options = options.Value;
        _links = new ApiLinks(_options);
        _timeProvider = timeProvider;
        _logger = logger;
        _callbackNames = [.. _options.Callbacks.Where(pair => pair.Value.IsConfigured).Select(pair => pair.Key)];
    }

    /// <summary>
    /// Runs a handler body and turns every exception into a problem answer: the one place that guarantees a handler never
    /// throws and never answers a bare 500.
    /// </summary>
    private async Task<IResult> RunAsync(HttpRequest request, string operationId, Func<Task<IResult>> body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        try
        {
            return await body().ConfigureAwait(false);
        }
        catch (SailPointException exception)
        {
            var result = ApiProblems.FromSailPoint(request, exception, _options.UnavailableRetryAfter);
            var status = (result as IStatusCodeHttpResult)?.StatusCode ?? 0;
            Log.SailPointFailed(_logger, status < 500 ? LogLevel.Information : LogLevel.Warning, operationId, exception.OperationId, exception.StatusCode, exception.Kind, exception.TrackingId, status);
            return result;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested || request.HttpContext.RequestAborted.IsCancellationRequested)
        {
            Log.Cancelled(_logger, operationId);
            return Results.Empty;
        }
#pragma warning disable CA1031 // The catch-all that keeps stack traces and secrets out of answers; the exception is logged.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            Log.Unexpected(_logger, operationId, ApiProblems.TraceIdOf(request.HttpContext), exception);
            return ApiProblems.Unexpected(request);
        }
    }

    /// <summary>Records an error unless <paramref name="id"/> is an ISC id.</summary>
    private static void RequireSailPointId(RequestErrors errors, string field, string? id)
    {
        if (!ApiIds.IsSailPointId(id))
        {
            errors.Add(field, $"'{field}' must be a SailPoint id: a UUID or 32 hexadecimal characters.");
        }
    }

    /// <summary>Records an error unless <paramref name="id"/> is a job or batch id.</summary>
    private static void RequireJobId(RequestErrors errors, string field, string? id)
    {
        if (!ApiIds.IsJobId(id))
        {
            errors.Add(field, $"'{field}' must be 32 hexadecimal characters.");
        }
    }

    private static Microsoft.AspNetCore.Http.HttpResults.JsonHttpResult<T> Json<T>(T value, int statusCode = StatusCodes.Status200OK) =>
        TypedResults.Json(value, (JsonTypeInfo<T>)RoleMiningJson.Options.GetTypeInfo(typeof(T)), JsonContentType, statusCode);

    private static Microsoft.AspNetCore.Http.HttpResults.JsonHttpResult<T> Json<T>(T value, JsonTypeInfo<T> typeInfo, int statusCode = StatusCodes.Status200OK) =>
        TypedResults.Json(value, typeInfo, JsonContentType, statusCode);
}
