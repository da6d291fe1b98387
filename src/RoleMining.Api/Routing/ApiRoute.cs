using Microsoft.AspNetCore.Http;

namespace RoleMining.Api.Routing;

/// <summary>Calls one handler of <see cref="RoleMiningApiHandlers"/> with the route values of a request.</summary>
/// <param name="handlers">The handlers.</param>
/// <param name="request">The request; its <c>RouteValues</c> hold the template's parameters.</param>
/// <param name="cancellationToken">Cancelled when the caller goes away.</param>
public delegate Task<IResult> ApiRouteInvoker(RoleMiningApiHandlers handlers, HttpRequest request, CancellationToken cancellationToken);

/// <summary>
/// One operation of the API: its HTTP method, its route template relative to <c>/api</c> (the Azure Functions default
/// route prefix; the template is exactly an <c>[HttpTrigger(Route = ...)]</c>), its OpenAPI operationId, and the handler.
/// </summary>
/// <param name="Method">The HTTP method, upper case.</param>
/// <param name="Template">The route template, e.g. <c>sessions/{sessionId}</c>.</param>
/// <param name="OperationId">The operationId in <c>openapi.json</c> and the custom connector.</param>
/// <param name="Summary">What the operation does, in a few words.</param>
/// <param name="Invoke">Calls the handler.</param>
public sealed record ApiRoute(string Method, string Template, string OperationId, string Summary, ApiRouteInvoker Invoke)
{
    /// <summary>The absolute path template, <c>/api/{Template}</c>, as OpenAPI documents list it.</summary>
    public string Path => "/" + ApiRoutes.Prefix + "/" + Template;

    /// <summary>The names of the template's parameters, in order.</summary>
    public IReadOnlyList<string> Parameters =>
        [.. Template.Split('/').Where(segment => segment.StartsWith('{') && segment.EndsWith('}')).Select(segment => segment[1..^1])];
}
