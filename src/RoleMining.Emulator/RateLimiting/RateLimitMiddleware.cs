using RoleMining.Emulator.Api;

namespace RoleMining.Emulator.RateLimiting;

/// <summary>429 with <c>Retry-After</c> and ISC's body when a client exceeds its window. The token endpoint and
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

        return limiter.TryAcquire(clientId, out var retryAfter) ? next(context) : ApiErrors.TooManyRequestsAsync(context, retryAfter);
    }
}
