using System.Text;
using RoleMining.Emulator.Api.Contracts;

namespace RoleMining.Emulator.Api;

/// <summary>Writes the error bodies ISC sends: <c>ErrorResponseDto</c> and the few fixed bodies.</summary>
internal static class ApiErrors
{
    /// <summary>The exact body for a missing or invalid <c>X-SailPoint-Experimental</c> header.</summary>
    public const string ExperimentalHeaderBody = "{\"error\":\"Experimental Header is missing or invalid.\"}";

    /// <summary>The exact body of a 429 (the spaces are ISC's).</summary>
    public const string RateLimitBody = "{\"message\":\" Rate Limit Exceeded \"}";

    private const string JsonContentType = "application/json; charset=utf-8";

    public static ErrorResponseDto Create(int statusCode, string text) => new(
        statusCode switch
        {
            StatusCodes.Status400BadRequest => "400.1 Bad Request Content",
            StatusCodes.Status403Forbidden => "403 Forbidden",
            StatusCodes.Status404NotFound => "404 Not found",
            StatusCodes.Status500InternalServerError => "500.0 Internal Fault",
            StatusCodes.Status502BadGateway => "502.0 Bad Gateway",
            StatusCodes.Status503ServiceUnavailable => "503.0 Service Unavailable",
            _ => statusCode.ToString(System.Globalization.CultureInfo.InvariantCulture),
        },
        Guid.NewGuid().ToString("N"),
        [new ErrorMessageDto("en-US", "DEFAULT", text)],
        []);

    /// <summary>Writes an <c>ErrorResponseDto</c> with a fresh tracking id.</summary>
    public static Task WriteAsync(HttpContext context, int statusCode, string text)
    {
        context.Response.StatusCode = statusCode;
        return context.Response.WriteAsJsonAsync(Create(statusCode, text), EmulatorJson.Context.ErrorResponseDto, JsonContentType, context.RequestAborted);
    }

    public static Task BadRequestAsync(HttpContext context, string text) => WriteAsync(context, StatusCodes.Status400BadRequest, text);

    public static Task NotFoundAsync(HttpContext context, string text) => WriteAsync(context, StatusCodes.Status404NotFound, text);

    /// <summary>Writes a fixed JSON body exactly as given.</summary>
    public static async Task WriteRawJsonAsync(HttpContext context, int statusCode, string json)
    {
        context.Response.StatusCode = statusCode;
        context.Response.ContentType = JsonContentType;
        await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(json), context.RequestAborted);
    }

    /// <summary>Writes a 401 with <c>{"error": ...}</c>.</summary>
    public static Task UnauthorizedAsync(HttpContext context, string error)
    {
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = "Bearer";
        return context.Response.WriteAsJsonAsync(new AuthErrorDto(error), EmulatorJson.Context.AuthErrorDto, JsonContentType, context.RequestAborted);
    }

    /// <summary>Writes a 429 with <c>Retry-After</c> in whole seconds and ISC's body.</summary>
    public static Task TooManyRequestsAsync(HttpContext context, TimeSpan retryAfter)
    {
        var seconds = (long)Math.Max(0, Math.Ceiling(retryAfter.TotalSeconds));
        context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return WriteRawJsonAsync(context, StatusCodes.Status429TooManyRequests, RateLimitBody);
    }
}
