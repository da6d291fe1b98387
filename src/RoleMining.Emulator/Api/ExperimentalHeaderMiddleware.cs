namespace RoleMining.Emulator.Api;

/// <summary>Where the spec marks <c>X-SailPoint-Experimental</c> as required (v2024, v2025, v2026, v1), it must be
/// <c>true</c>; otherwise 400 with ISC's exact body.</summary>
internal sealed class ExperimentalHeaderMiddleware(RequestDelegate next)
{
    public const string HeaderName = "X-SailPoint-Experimental";

    public Task InvokeAsync(HttpContext context)
    {
        var operation = context.GetEndpoint()?.Metadata.GetMetadata<EmulatedOperation>();
        if (operation is { RequiresExperimentalHeader: true }
            && !string.Equals(context.Request.Headers[HeaderName].ToString().Trim(), "true", StringComparison.OrdinalIgnoreCase))
        {
            return ApiErrors.WriteRawJsonAsync(context, StatusCodes.Status400BadRequest, ApiErrors.ExperimentalHeaderBody);
        }

        return next(context);
    }
}

/// <summary>A path no route matches is a 404 <c>ErrorResponseDto</c> (after authentication, as behind ISC's gateway).
/// A known path with another method reaches routing's own 405 endpoint.</summary>
internal sealed class UnmatchedRouteMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context) =>
        context.GetEndpoint() is null
            ? ApiErrors.NotFoundAsync(context, $"No resource matches {context.Request.Method} {context.Request.Path}.")
            : next(context);
}
