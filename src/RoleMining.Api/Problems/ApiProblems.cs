using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using RoleMining.Api.Validation;
using RoleMining.SailPoint;

namespace RoleMining.Api.Problems;

/// <summary>
/// Every error answer of the API: an RFC 9457 problem document (<c>application/problem+json</c>) built with
/// <see cref="TypedResults.Problem(ProblemDetails)"/> or <c>TypedResults.ValidationProblem</c>. Extensions carry what a
/// caller branches on or quotes to support (<c>trackingId</c> of SailPoint, <c>traceId</c> of this API); never a stack
/// trace or a secret.
/// </summary>
public static class ApiProblems
{
    /// <summary>The extension that carries SailPoint's tracking id.</summary>
    public const string TrackingIdExtension = "trackingId";

    /// <summary>The extension that carries this API's trace id.</summary>
    public const string TraceIdExtension = "traceId";

    /// <summary>
    /// 400 naming every bad field in <c>errors</c>; 406 naming what the operation produces when the only fault is an
    /// <c>Accept</c> header that allows none of it.
    /// </summary>
    public static IResult Validation(HttpRequest request, RequestErrors errors, string? detail = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(errors);
        if (errors.NotAcceptable is { } produces && errors.Fields.All(field => string.Equals(field, Microsoft.Net.Http.Headers.HeaderNames.Accept, StringComparison.Ordinal)))
        {
            var extensions = TraceExtensions(request);
            extensions["produces"] = produces;
            return Problem(
                request,
                StatusCodes.Status406NotAcceptable,
                "The requested media type cannot be produced.",
                $"This operation produces {string.Join(" or ", produces)}; send one of them in Accept (or */*), or leave Accept out. The request asked for '{request.Headers.Accept}'.",
                extensions);
        }

        return TypedResults.ValidationProblem(
            errors.ToDictionary(),
            detail: detail ?? "The request has invalid fields: " + string.Join(", ", errors.Fields) + ".",
            instance: request.Path.Value,
            title: "The request is invalid.",
            extensions: TraceExtensions(request));
    }

    /// <summary>400 for one bad field.</summary>
    public static IResult Validation(HttpRequest request, string field, string message)
    {
        var errors = new RequestErrors();
        errors.Add(field, message);
        return Validation(request, errors);
    }

    /// <summary>404: the addressed resource does not exist.</summary>
    public static IResult NotFound(HttpRequest request, string detail, string resourceType, string resourceId, string? trackingId = null)
    {
        var extensions = TraceExtensions(request);
        extensions["resourceType"] = resourceType;
        extensions["resourceId"] = resourceId;
        if (trackingId is not null)
        {
            extensions[TrackingIdExtension] = trackingId;
        }

        return Problem(request, StatusCodes.Status404NotFound, "Not found.", detail, extensions);
    }

    /// <summary>A problem with any status.</summary>
    public static IResult Problem(HttpRequest request, int status, string title, string detail, IDictionary<string, object?>? extensions = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        var problem = new ProblemDetails
        {
            Status = status,
            Title = title,
            Detail = detail,
            Instance = request.Path.Value,
        };
        foreach (var pair in extensions ?? TraceExtensions(request))
        {
            problem.Extensions[pair.Key] = pair.Value;
        }

        if (!problem.Extensions.ContainsKey(TraceIdExtension))
        {
            problem.Extensions[TraceIdExtension] = TraceIdOf(request.HttpContext);
        }

        return TypedResults.Problem(problem);
    }

    /// <summary>
    /// The answer to a failed SailPoint call: 404 when SailPoint does not know the addressed resource; 400 when it rejected
    /// the request's content; 503 with <c>Retry-After</c> when it (or this API's own circuit breaker or rate limiter) asks to
    /// wait; 502 for every other failure (5xx, timeouts, broken connections, failed authentication of this API). SailPoint's
    /// <c>trackingId</c> is always passed on.
    /// </summary>
    public static IResult FromSailPoint(HttpRequest request, SailPointException exception, TimeSpan unavailableRetryAfter)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(exception);
        if (exception.IsNotFound)
        {
            var resourceType = exception.ResourceType ?? "Resource";
            var resourceId = exception.ResourceId ?? string.Empty;
            return NotFound(request, $"{Describe(resourceType)} '{resourceId}' was not found in SailPoint.", resourceType, resourceId, exception.TrackingId);
        }

        var extensions = TraceExtensions(request);
        if (exception.TrackingId is not null)
        {
            extensions[TrackingIdExtension] = exception.TrackingId;
        }

        if (exception.DetailCode is not null)
        {
            extensions["detailCode"] = exception.DetailCode;
        }

        if (!string.IsNullOrEmpty(exception.OperationId))
        {
            extensions["sailPointOperation"] = exception.OperationId;
        }

        if (exception.StatusCode != 0)
        {
            extensions["sailPointStatus"] = exception.StatusCode;
        }

        extensions["failureKind"] = exception.Kind.ToString();

        if (exception.Status == HttpStatusCode.BadRequest && exception.Kind == SailPointErrorKind.Service)
        {
            return Problem(request, StatusCodes.Status400BadRequest, "SailPoint rejected the request.", exception.Message, extensions);
        }

        if (exception.IsRateLimited || exception.Kind == SailPointErrorKind.CircuitOpen)
        {
            var wait = exception.RetryAfter is { } requested && requested > TimeSpan.Zero ? requested : unavailableRetryAfter;
            var detail = exception.Kind == SailPointErrorKind.CircuitOpen
                ? "Recent calls to SailPoint failed, so calls are paused for a while. " + exception.Message
                : "SailPoint's rate limit is reached. " + exception.Message;
            return new HeaderResult(
                Problem(request, StatusCodes.Status503ServiceUnavailable, "SailPoint is unavailable; retry later.", detail, extensions),
                ("Retry-After", RetryAfterSeconds(wait)));
        }

        return Problem(request, StatusCodes.Status502BadGateway, "The call to SailPoint failed.", exception.Message, extensions);
    }

    /// <summary>500 for a failure nobody foresaw: the trace id to find the log entry, nothing else.</summary>
    public static IResult Unexpected(HttpRequest request) =>
        Problem(
            request,
            StatusCodes.Status500InternalServerError,
            "An unexpected error occurred.",
            $"The request failed unexpectedly. The error was logged with trace id '{TraceIdOf(request.HttpContext)}'.");

    /// <summary>Whole seconds, at least 1, as <c>Retry-After</c> wants them.</summary>
    public static string RetryAfterSeconds(TimeSpan wait) =>
        Math.Max(1, (long)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// The trace id of a request as problem documents show it: the current activity's W3C id, else the connection's
    /// request id (the rule of ASP.NET Core's own problem details writer, which would otherwise overwrite ours).
    /// </summary>
    public static string TraceIdOf(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        return System.Diagnostics.Activity.Current?.Id ?? httpContext.TraceIdentifier;
    }

    private static Dictionary<string, object?> TraceExtensions(HttpRequest request) =>
        new(StringComparer.Ordinal) { [TraceIdExtension] = TraceIdOf(request.HttpContext) };

    private static string Describe(string resourceType) => resourceType switch
    {
        "RoleMiningSession" => "Role-mining session",
        "PotentialRole" => "Potential role",
        "PotentialRoleExport" => "SailPoint export",
        _ => resourceType,
    };
}
