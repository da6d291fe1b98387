using RoleMining.Emulator.Api;

namespace RoleMining.Emulator.RateLimiting;

/// <summary>429 with <c>Retry-After</c> (whole seconds, rounded up) and ISC's body when a client exceeds a window. The token endpoint and
/// unauthenticated requests (already answered 401) are not limited.</summary>
internal sealed class RateLimitMiddleware(RequestDelegate next, ClientRateLimiter limiter)
{
    public Task InvokeAsync(HttpContext context)
    {
        var clientId = context.Features.Get<EmulatorRequestFeature>()?.ClientId;
        var operation = context.GetEndpoint()?.Metadata.GetMetadata<EmulatedOperation>();
        if (!limiter.Enabled || clientId is null || operation is { Anonymous: true })
        {
            return next(context);
        }

        var operationId = (operation ?? EmulatedOperation.Unknown).CanonicalOperationId;
        return limiter.TryAcquire(clientId, operationId, out var retryAfter) ? next(context) : ApiErrors.TooManyRequestsAsync(context, retryAfter);
    }
}
