using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using RoleMining.Api.Routing;
using RoleMining.Functions.Http;

namespace RoleMining.Functions.Triggers;

/// <summary>
/// One HTTP function per route of <see cref="ApiRoutes"/>, named by its operationId, with the same method and route
/// template (relative to the default <c>/api</c> prefix); each is a shell over the route's handler behind the API's own
/// authentication gate (<see cref="ApiRouteDispatcher"/>: an Entra ID bearer token or an API key, see
/// <c>RoleMining:Api:Authentication</c>). The triggers are anonymous to the Functions host on purpose: the host checks only
/// its own function keys, and would refuse a Logic App or Power Automate caller that authenticates with Entra ID before
/// the app could accept it. Without a way in configured the app answers every request with 503, so nothing is served
/// unauthenticated.
/// One more function answers what no route takes (<see cref="UnroutedRequests"/>).
/// tests/RoleMining.Infrastructure.Tests checks that this file and the route table agree.
/// </summary>
public sealed class ApiFunctions
{
    private readonly ApiRouteDispatcher _dispatcher;

    /// <summary>Creates the functions.</summary>
    public ApiFunctions(ApiRouteDispatcher dispatcher) => _dispatcher = dispatcher;

    /// <summary>Lists role-mining sessions.</summary>
    [Function(ApiRoutes.ListSessions)]
    public Task<IActionResult> ListSessionsAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "sessions")] HttpRequest request,
        CancellationToken cancellationToken) => InvokeAsync(ApiRoutes.ListSessions, request, cancellationToken);

    /// <summary>Gets a role-mining session.</summary>
    [Function(ApiRoutes.GetSession)]
    public Task<IActionResult> GetSessionAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "sessions/{sessionId}")] HttpRequest request,
        CancellationToken cancellationToken) => InvokeAsync(ApiRoutes.GetSession, request, cancellationToken);

    /// <summary>Lists the potential roles of a session.</summary>
    [Function(ApiRoutes.ListPotentialRoles)]
    public Task<IActionResult> ListPotentialRolesAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "sessions/{sessionId}/potential-roles")] HttpRequest request,
        CancellationToken cancellationToken) => InvokeAsync(ApiRoutes.ListPotentialRoles, request, cancellationToken);

    /// <summary>Lists or streams the identities of a potential role.</summary>
    [Function(ApiRoutes.ListPotentialRoleIdentities)]
    public Task<IActionResult> ListPotentialRoleIdentitiesAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "sessions/{sessionId}/potential-roles/{potentialRoleId}/identities")] HttpRequest request,
        CancellationToken cancellationToken) => InvokeAsync(ApiRoutes.ListPotentialRoleIdentities, request, cancellationToken);

    /// <summary>Starts the export of one potential role.</summary>
    [Function(ApiRoutes.StartPotentialRoleExport)]
    public Task<IActionResult> StartPotentialRoleExportAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "sessions/{sessionId}/potential-roles/{potentialRoleId}/exports")] HttpRequest request,
        CancellationToken cancellationToken) => InvokeAsync(ApiRoutes.StartPotentialRoleExport, request, cancellationToken);

    /// <summary>Starts the export of every potential role of a session.</summary>
    [Function(ApiRoutes.StartSessionExport)]
    public Task<IActionResult> StartSessionExportAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "sessions/{sessionId}/exports")] HttpRequest request,
        CancellationToken cancellationToken) => InvokeAsync(ApiRoutes.StartSessionExport, request, cancellationToken);

    /// <summary>Gets a session-wide export.</summary>
    [Function(ApiRoutes.GetSessionExport)]
    public Task<IActionResult> GetSessionExportAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "sessions/{sessionId}/exports/{batchId}")] HttpRequest request,
        CancellationToken cancellationToken) => InvokeAsync(ApiRoutes.GetSessionExport, request, cancellationToken);

    /// <summary>Gets an export job.</summary>
    [Function(ApiRoutes.GetExport)]
    public Task<IActionResult> GetExportAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "exports/{jobId}")] HttpRequest request,
        CancellationToken cancellationToken) => InvokeAsync(ApiRoutes.GetExport, request, cancellationToken);

    /// <summary>Downloads a file of a finished export (HEAD: its headers only).</summary>
    [Function(ApiRoutes.GetExportArtifact)]
    public Task<IActionResult> GetExportArtifactAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "exports/{jobId}/artifacts/{name}")] HttpRequest request,
        CancellationToken cancellationToken) => InvokeAsync(ApiRoutes.GetExportArtifact, request, cancellationToken);

    /// <summary>
    /// What no route takes: a wrong method on a route's path (405 with <c>Allow</c>) or an unknown path (404), as problem
    /// documents, where the host would answer with its own empty 404. Every method. The host may try this before a route
    /// that takes the request (it orders routes by function name), so such a request is run through that route here.
    /// </summary>
    [Function(UnroutedRequests.FunctionName)]
    public async Task<IActionResult> AnswerUnroutedRequestAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, Route = UnroutedRequests.Template)] HttpRequest request,
        CancellationToken cancellationToken) =>
        new ResultActionResult(await _dispatcher.DispatchUnroutedAsync(request, cancellationToken));

    private async Task<IActionResult> InvokeAsync(string operationId, HttpRequest request, CancellationToken cancellationToken)
    {
        var result = await _dispatcher.DispatchAsync(ApiRoutes.Find(operationId), request, cancellationToken);
        return new ResultActionResult(result);
    }
}
