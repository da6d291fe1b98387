using System.Diagnostics;
using RoleMining.Emulator.Api;

namespace RoleMining.Emulator.Diagnostics;

/// <summary>
/// Outermost middleware: counts every response's status code just before it is sent (so a client never sees a
/// response its statistics do not yet include), turns unexpected exceptions into a 500 <c>ErrorResponseDto</c>,
/// and logs one line per request.
/// </summary>
internal sealed class RequestTrackingMiddleware(RequestDelegate next, EmulatorStatistics statistics, ILogger<RequestTrackingMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var feature = new EmulatorRequestFeature();
        context.Features.Set(feature);
        var started = Stopwatch.GetTimestamp();
        context.Response.OnStarting(static state =>
        {
            var (httpContext, counters) = ((HttpContext, EmulatorStatistics))state;
            counters.RecordResponse(httpContext.Response.StatusCode);
            return Task.CompletedTask;
        }, (context, statistics));

        try
        {
            await next(context);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away (or a fault aborted the connection): nothing left to answer.
        }
        catch (Exception exception) when (!context.Response.HasStarted)
        {
            Log.RequestFailed(logger, exception, context.Request.Method, context.Request.Path);
            context.Response.Clear();
            await ApiErrors.WriteAsync(context, StatusCodes.Status500InternalServerError, "An internal fault occurred.");
        }
        finally
        {
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            var clientId = feature.ClientId ?? "-";
            if (context.RequestAborted.IsCancellationRequested && !context.Response.HasStarted)
            {
                Log.RequestAborted(logger, context.Request.Method, context.Request.Path, elapsed, clientId);
            }
            else
            {
                Log.RequestCompleted(logger, context.Request.Method, context.Request.Path, context.Response.StatusCode, elapsed, clientId);
            }
        }
    }
}

/// <summary>Counts the request under its operationId once routing knows it.</summary>
internal sealed class OperationStatisticsMiddleware(RequestDelegate next, EmulatorStatistics statistics)
{
    public Task InvokeAsync(HttpContext context)
    {
        var operation = context.GetEndpoint()?.Metadata.GetMetadata<EmulatedOperation>() ?? EmulatedOperation.Unknown;
        statistics.RecordRequest(operation.OperationId);
        return next(context);
    }
}
