using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using RoleMining.Api.Authentication;
using RoleMining.Api.Diagnostics;
using RoleMining.Api.Problems;

namespace RoleMining.Api.Routing;

/// <summary>
/// Runs one route for one request: the authentication gate first, then the route's handler. Every host calls this (the
/// minimal-API mapping of <c>rolemining serve</c> and the tests, and each Azure Functions HTTP trigger), so no route can
/// be reached around the gate.
/// </summary>
public sealed class ApiRouteDispatcher
{
    private readonly ApiAuthenticator _authenticator;
    private readonly RoleMiningApiHandlers _handlers;
    private readonly ILogger<ApiRouteDispatcher> _logger;

    /// <summary>Creates the dispatcher.</summary>
    public ApiRouteDispatcher(ApiAuthenticator authenticator, RoleMiningApiHandlers handlers, ILogger<ApiRouteDispatcher> logger)
    {
        ArgumentNullException.ThrowIfNull(authenticator);
        ArgumentNullException.ThrowIfNull(handlers);
        ArgumentNullException.ThrowIfNull(logger);
        _authenticator = authenticator;
        _handlers = handlers;
        _logger = logger;
    }

    /// <summary>Authenticates <paramref name="request"/> and, if it may go on, runs <paramref name="route"/>'s handler.</summary>
    public async Task<IResult> DispatchAsync(ApiRoute route, HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(route);
        ArgumentNullException.ThrowIfNull(request);
        try
        {
            if (await _authenticator.AuthenticateAsync(request, cancellationToken).ConfigureAwait(false) is { } refused)
            {
                return refused;
            }
        }
#pragma warning disable CA1031 // As the handlers' own catch-all: a problem document, never the host's bare 500 or a stack trace.
        catch (Exception exception) when (exception is not OperationCanceledException)
#pragma warning restore CA1031
        {
            Log.AuthenticationFailedUnexpectedly(_logger, route.OperationId, ApiProblems.TraceIdOf(request.HttpContext), exception);
            return ApiProblems.Unexpected(request);
        }

        return await route.Invoke(_handlers, request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs a request that came to a host's catch-all (<see cref="UnroutedRequests"/>): through the route that takes its
    /// method at its path, with that route's values, as if the host had routed it there; else the 404 or 405 problem.
    /// </summary>
    public Task<IResult> DispatchUnroutedAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (UnroutedRequests.Match(request) is not var (route, values))
        {
            return Task.FromResult(UnroutedRequests.Answer(request));
        }

        request.RouteValues = values;
        return DispatchAsync(route, request, cancellationToken);
    }
}
