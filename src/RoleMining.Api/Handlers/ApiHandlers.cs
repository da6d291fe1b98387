using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Logging;
using RoleMining.Api.Diagnostics;
using RoleMining.Api.Problems;
using RoleMining.SailPoint;
using RoleMining.SailPoint.Serialization;

namespace RoleMining.Api;

/// <summary>
/// What the handlers of every resource share: <see cref="RunAsync"/>, the one place that guarantees a handler never throws
/// (bad input is a 400 problem, an unknown resource 404, SailPoint trouble 502/503 with SailPoint's <c>trackingId</c>, and
/// anything unforeseen a logged 500 problem without details), and the JSON answers.
/// </summary>
public abstract class ApiHandlers
{
    private const string JsonContentType = "application/json; charset=utf-8";

    private readonly TimeSpan _unavailableRetryAfter;

    /// <summary>Creates the handlers.</summary>
    private protected ApiHandlers(RoleMiningApiOptions options, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _unavailableRetryAfter = options.UnavailableRetryAfter;
        Logger = logger;
    }

    /// <summary>The handlers' logger.</summary>
    private protected ILogger Logger { get; }

    /// <summary>Runs a handler body and turns every exception into a problem answer.</summary>
    private protected async Task<IResult> RunAsync(HttpRequest request, string operationId, Func<Task<IResult>> body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        try
        {
            return await body().ConfigureAwait(false);
        }
        catch (SailPointException exception)
        {
            var result = ApiProblems.FromSailPoint(request, exception, _unavailableRetryAfter);
            var status = (result as IStatusCodeHttpResult)?.StatusCode ?? 0;
            Log.SailPointFailed(Logger, status < 500 ? LogLevel.Information : LogLevel.Warning, operationId, exception.OperationId, exception.StatusCode, exception.Kind, exception.TrackingId, status);
            return result;
        }
        catch (OperationCanceledException) when (request.HttpContext.RequestAborted.IsCancellationRequested)
        {
            // The caller went away: nobody reads an answer.
            Log.Cancelled(Logger, operationId);
            return Results.Empty;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The host is stopping (scale-in, a deployment, the function's timeout) while the caller waits. An empty 200
            // would end a Logic App's or Power Automate's asynchronous pattern as a success; a 503 asks it to come back.
            Log.StoppedWhileServing(Logger, operationId);
            return new HeaderResult(
                ApiProblems.Problem(request, StatusCodes.Status503ServiceUnavailable, "The service is restarting; retry later.",
                    "The request was cut short because this instance is stopping. Send it again; a start request with the same Idempotency-Key gets the same job."),
                ("Retry-After", ApiProblems.RetryAfterSeconds(_unavailableRetryAfter)));
        }
#pragma warning disable CA1031 // The catch-all that keeps stack traces and secrets out of answers; the exception is logged.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            Log.Unexpected(Logger, operationId, ApiProblems.TraceIdOf(request.HttpContext), exception);
            return ApiProblems.Unexpected(request);
        }
    }

    /// <summary><paramref name="value"/> as JSON, serialized as the SailPoint client's models are.</summary>
    private protected static JsonHttpResult<T> Json<T>(T value, int statusCode = StatusCodes.Status200OK) =>
        TypedResults.Json(value, (JsonTypeInfo<T>)RoleMiningJson.Options.GetTypeInfo(typeof(T)), JsonContentType, statusCode);

    /// <summary><paramref name="value"/> as JSON, serialized with <paramref name="typeInfo"/>.</summary>
    private protected static JsonHttpResult<T> Json<T>(T value, JsonTypeInfo<T> typeInfo, int statusCode = StatusCodes.Status200OK) =>
        TypedResults.Json(value, typeInfo, JsonContentType, statusCode);
}
