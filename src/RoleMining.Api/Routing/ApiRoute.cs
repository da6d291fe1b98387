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
/// <param name="AnswersHead">
/// Whether HEAD is answered too (a GET that serves a file): a download tool asks for the size, ETag and whether ranges are
/// accepted before it downloads. The handler runs as for GET; the server sends the headers without the body.
/// </param>
public sealed record ApiRoute(string Method, string Template, string OperationId, string Summary, ApiRouteInvoker Invoke, bool AnswersHead = false)
{
    /// <summary>The methods the route answers: <see cref="Method"/>, and HEAD where <see cref="AnswersHead"/>.</summary>
    public IReadOnlyList<string> Methods => AnswersHead ? [Method, "HEAD"] : [Method];

    /// <summary>The absolute path template, <c>/api/{Template}</c>, as OpenAPI documents list it.</summary>
    public string Path => "/" + ApiRoutes.Prefix + "/" + Template;

    /// <summary>The names of the template's parameters, in order.</summary>
    public IReadOnlyList<string> Parameters =>
        [.. Template.Split('/').Where(segment => segment.StartsWith('{') && segment.EndsWith('}')).Select(segment => segment[1..^1])];
}
