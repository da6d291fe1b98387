using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Template;
using Microsoft.Net.Http.Headers;
using RoleMining.Api.Problems;

namespace RoleMining.Api.Routing;

/// <summary>
/// What a host sends to its catch-all under <c>/api</c>, the same in every host: a request that a route of
/// <see cref="ApiRoutes"/> takes after all goes to that route (<see cref="ApiRouteDispatcher.DispatchUnroutedAsync"/>);
/// otherwise 405 with <c>Allow</c> when its path is a route's and only the method is wrong, else 404; both problem
/// documents. Without it the Azure Functions host answers both with its own empty 404, which tells a caller who sent GET
/// for a POST nothing. What it reveals unauthenticated (which methods a path takes) is in <c>openapi.json</c>.
/// </summary>
/// <remarks>
/// The catch-all cannot rely on being tried last in the Functions host: the HTTP extension it ships tries routes in the
/// order of its function names, not most specific first (azure-functions-host#9876). So a request can reach the
/// catch-all although a route takes it, and is then routed here.
/// </remarks>
public static class UnroutedRequests
{
    /// <summary>The name of the Azure Functions HTTP function (and of serve's endpoint) that takes what the routes do not.</summary>
    public const string FunctionName = "UnroutedRequest";

    /// <summary>The catch-all template relative to <c>/api</c>.</summary>
    public const string Template = "{*path}";

    private static readonly IReadOnlyList<(ApiRoute Route, TemplateMatcher Matcher)> Matchers =
        [.. ApiRoutes.All.Select(route => (route, new TemplateMatcher(TemplateParser.Parse(route.Path.TrimStart('/')), new RouteValueDictionary())))];

    /// <summary>The methods the routes take at <paramref name="path"/> (the request's path, with <c>/api</c>), in table order.</summary>
    public static IReadOnlyList<string> MethodsAt(PathString path) =>
        [.. RoutesAt(path).SelectMany(match => match.Route.Methods).Distinct(StringComparer.Ordinal)];

    /// <summary>The route that takes <paramref name="request"/>'s method at its path, with the path's route values; null if none.</summary>
    public static (ApiRoute Route, RouteValueDictionary Values)? Match(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return RoutesAt(request.Path)
            .Where(match => match.Route.Methods.Contains(request.Method, StringComparer.OrdinalIgnoreCase))
            .Select(match => ((ApiRoute, RouteValueDictionary)?)match)
            .FirstOrDefault();
    }

    private static IEnumerable<(ApiRoute Route, RouteValueDictionary Values)> RoutesAt(PathString path)
    {
        foreach (var (route, matcher) in Matchers)
        {
            var values = new RouteValueDictionary();
            if (matcher.TryMatch(path, values))
            {
                yield return (route, values);
            }
        }
    }

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
                $"No operation of this API has the path '{request.Path.Value}'. Its operations are under /{ApiRoutes.Prefix}/sessions and /{ApiRoutes.Prefix}/exports.");
        }

        return new HeaderResult(
            ApiProblems.Problem(
                request,
                StatusCodes.Status405MethodNotAllowed,
                "The method is not allowed.",
                $"'{request.Path.Value}' takes {string.Join(" or ", methods)}, not {request.Method}."),
            (HeaderNames.Allow, string.Join(", ", methods)));
    }
}
