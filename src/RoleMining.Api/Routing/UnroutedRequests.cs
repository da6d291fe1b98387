using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Template;
using Microsoft.Net.Http.Headers;
using RoleMining.Api.Problems;

namespace RoleMining.Api.Routing;

/// <summary>
/// The answer to a request under <c>/api</c> that no route of <see cref="ApiRoutes"/> takes, the same in every host: 405
/// with <c>Allow</c> when its path is a route's and only the method is wrong, else 404; both problem documents. Without it
/// the Azure Functions host answers both with its own empty 404, which tells a caller who sent GET for a POST nothing.
/// Nothing is authenticated here: what it reveals (which methods a path takes) is in <c>openapi.json</c>.
/// </summary>
public static class UnroutedRequests
{
    /// <summary>The name of the Azure Functions HTTP function that takes what the routes do not.</summary>
    public const string FunctionName = "UnroutedRequest";

    /// <summary>
    /// The catch-all template relative to <c>/api</c>. Both hosts try it last: ASP.NET Core routing ranks a catch-all
    /// below every literal segment, and the Functions host sorts its routes the same way (literals first).
    /// </summary>
    public const string Template = "{*path}";

    private static readonly IReadOnlyList<(ApiRoute Route, TemplateMatcher Matcher)> Matchers =
        [.. ApiRoutes.All.Select(route => (route, new TemplateMatcher(TemplateParser.Parse(route.Path.TrimStart('/')), new RouteValueDictionary())))];

    /// <summary>The methods the routes take at <paramref name="path"/> (the request's path, with <c>/api</c>), in table order.</summary>
    public static IReadOnlyList<string> MethodsAt(PathString path) =>
        [.. Matchers.Where(candidate => candidate.Matcher.TryMatch(path, new RouteValueDictionary())).SelectMany(candidate => candidate.Route.Methods).Distinct(StringComparer.Ordinal)];

    /// <summary>405 with <c>Allow</c> naming the methods the path takes, or 404 when no route has the path.</summary>
    public static IResult Answer(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var methods = MethodsAt(request.Path);
        if (methods.Count == 0)
        {
            return ApiProblems.Problem(
                request,
                StatusCodes.Status404NotFound,
                "Not found.",
                $"No operation of this API has the path '{request.Path}'. Its operations are under {ApiRoutes.Prefix}/sessions and {ApiRoutes.Prefix}/exports (see openapi.json).");
        }

        var allowed = string.Join(", ", methods);
        return new HeaderResult(
            ApiProblems.Problem(
                request,
                StatusCodes.Status405MethodNotAllowed,
                "The method is not allowed.",
                $"'{request.Path}' takes {allowed}, not {request.Method}."),
            (HeaderNames.Allow, allowed));
    }
}
