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
