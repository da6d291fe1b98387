using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using RoleMining.Api;
using RoleMining.Api.Routing;
using RoleMining.Functions.Http;

namespace RoleMining.Functions.Triggers;

/// <summary>
/// One HTTP function per route of <see cref="ApiRoutes"/>, named by its operationId, with the same method and route
/// template (relative to the default <c>/api</c> prefix); each is a shell over the route's handler. Callers need a
/// function key (<c>x-functions-key</c> header or <c>code</c> query parameter). tests/RoleMining.Infrastructure.Tests
/// checks that this file and the route table agree.
/// </summary>
public sealed class ApiFunctions
{
    private readonly RoleMiningApiHandlers _handlers;

    /// <summary>Creates the functions.</summary>
    public ApiFunctions(RoleMiningApiHandlers handlers) => _handlers = handlers;

    /// <summary>Gets a role-mining session.</summary>
    [Function(ApiRoutes.GetSession)]
    public Task<IActionResult> GetSessionAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "sessions/{sessionId}")] HttpRequest request,
        CancellationToken cancellationToken) => InvokeAsync(ApiRoutes.GetSession, request, cancellationToken);

    /// <summary>Lists the potential roles of a session.</summary>
    [Function(ApiRoutes.ListPotentialRoles)]
    public Task<IActionResult> ListPotentialRolesAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "sessions/{sessionId}/potential-roles")] HttpRequest request,
        CancellationToken cancellationToken) => InvokeAsync(ApiRoutes.ListPotentialRoles, request, cancellationToken);

    /// <summary>Lists or streams the identities of a potential role.</summary>
    [Function(ApiRoutes.ListPotentialRoleIdentities)]
    public Task<IActionResult> ListPotentialRoleIdentitiesAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "sessions/{sessionId}/potential-roles/{potentialRoleId}/identities")] HttpRequest request,
        CancellationToken cancellationToken) => InvokeAsync(ApiRoutes.ListPotentialRoleIdentities, request, cancellationToken);

    /// <summary>Starts the export of one potential role.</summary>
    [Function(ApiRoutes.StartPotentialRoleExport)]
    public Task<IActionResult> StartPotentialRoleExportAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "sessions/{sessionId}/potential-roles/{potentialRoleId}/exports")] HttpRequest request,
        CancellationToken cancellationToken) => InvokeAsync(ApiRoutes.StartPotentialRoleExport, request, cancellationToken);

    /// <summary>Starts the export of every potential role of a session.</summary>
    [Function(ApiRoutes.StartSessionExport)]
    public Task<IActionResult> StartSessionExportAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "sessions/{sessionId}/exports")] HttpRequest request,
        CancellationToken cancellationToken) => InvokeAsync(ApiRoutes.StartSessionExport, request, cancellationToken);

    /// <summary>Gets a session-wide export.</summary>
    [Function(ApiRoutes.GetSessionExport)]
    public Task<IActionResult> GetSessionExportAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "sessions/{sessionId}/exports/{batchId}")] HttpRequest request,
        CancellationToken cancellationToken) => InvokeAsync(ApiRoutes.GetSessionExport, request, cancellationToken);

    /// <summary>Gets an export job.</summary>
    [Function(ApiRoutes.GetExport)]
    public Task<IActionResult> GetExportAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "exports/{jobId}")] HttpRequest request,
        CancellationToken cancellationToken) => InvokeAsync(ApiRoutes.GetExport, request, cancellationToken);

    /// <summary>Downloads a file of a finished export.</summary>
    [Function(ApiRoutes.GetExportArtifact)]
    public Task<IActionResult> GetExportArtifactAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "exports/{jobId}/artifacts/{name}")] HttpRequest request,
        CancellationToken cancellationToken) => InvokeAsync(ApiRoutes.GetExportArtifact, request, cancellationToken);

    private async Task<IActionResult> InvokeAsync(string operationId, HttpRequest request, CancellationToken cancellationToken)
    {
        var result = await ApiRoutes.Find(operationId).Invoke(_handlers, request, cancellationToken);
        return new ResultActionResult(result);
    }
}
