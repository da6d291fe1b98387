using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using RoleMining.Emulator.Api;

namespace RoleMining.Emulator.Faults;

/// <summary>
/// Injects the configured faults of the request's operation: latency, 429s, 500/502/503s and connection resets
/// (before the request is handled, or after it took effect with <see cref="EmulatorRouteFaultOptions.FailAfterHandling"/>),
/// and truncated or corrupted zip downloads. Runs after authentication, the rate limit and the experimental header,
/// so faults stand for the service behind ISC's gateway.
/// </summary>
internal sealed class FaultInjectionMiddleware(RequestDelegate next, IOptions<EmulatorOptions> options, FaultDecider decider, EmulatorStatistics statistics)
{
    private static readonly int[] ServerErrors =
        [StatusCodes.Status500InternalServerError, StatusCodes.Status502BadGateway, StatusCodes.Status503ServiceUnavailable];

    public async Task InvokeAsync(HttpContext context)
    {
        var operation = context.GetEndpoint()?.Metadata.GetMetadata<EmulatedOperation>() ?? EmulatedOperation.Unknown;
        var faults = options.Value.Faults.For(operation.OperationId);
        if (faults.Latency > TimeSpan.Zero)
        {
            // Wall-clock time on purpose: latency is about real waiting, not the injected TimeProvider's clock.
            await Task.Delay(faults.Latency, context.RequestAborted);
        }

        if (decider.Chance(faults.TooManyRequestsShare))
        {
            statistics.RecordFault();
            await ApiErrors.TooManyRequestsAsync(context, faults.TooManyRequestsRetryAfter);
            return;
        }

        var reset = decider.Chance(faults.ConnectionResetShare);
        int? serverError = !reset && decider.Chance(faults.ServerErrorShare) ? decider.Pick(ServerErrors) : null;
        var fails = reset || serverError is not null;
        if (fails && !faults.FailAfterHandling)
        {
            await FailAsync(context, reset, serverError);
            return;
        }

        var bodyFeature = context.Features.GetRequiredFeature<IHttpResponseBodyFeature>();
        try
        {
            if (fails)
            {
                // The request takes effect, but its response is lost.
                context.Response.Body = Stream.Null;
                await next(context);
                context.Features.Set(bodyFeature);
                context.Response.Clear();
                await FailAsync(context, reset, serverError);
                return;
            }

            if (operation.IsZipDownload)
            {
                if (decider.Chance(faults.TruncatedDownloadShare))
                {
                    statistics.RecordFault();
                    context.Response.Body = new TruncatingStream(bodyFeature.Stream, faults.TruncatedDownloadMissingBytes);
                }
                else if (decider.Chance(faults.CorruptedDownloadShare))
                {
                    statistics.RecordFault();
                    context.Response.Body = new CorruptingZipStream(bodyFeature.Stream);
                }
            }

            await next(context);
        }
        finally
        {
            context.Features.Set(bodyFeature);
        }
    }

    private async Task FailAsync(HttpContext context, bool reset, int? serverError)
    {
        statistics.RecordFault();
        if (reset)
        {
            statistics.RecordConnectionReset();
            context.Abort();
            return;
        }

        var status = serverError!.Value;
        var text = status switch
        {
            StatusCodes.Status502BadGateway => "The server received an invalid response from an upstream server.",
            StatusCodes.Status503ServiceUnavailable => "The service is temporarily unavailable.",
            _ => "An internal fault occurred.",
        };
        await ApiErrors.WriteAsync(context, status, text);
    }
}
