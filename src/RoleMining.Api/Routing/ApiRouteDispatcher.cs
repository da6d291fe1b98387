using Microsoft.AspNetCore.Http;
using RoleMining.Api.Authentication;

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

    /// <summary>Creates the dispatcher.</summary>
    public ApiRouteDispatcher(ApiAuthenticator authenticator, RoleMiningApiHandlers handlers)
    {
        ArgumentNullException.ThrowIfNull(authenticator);
        ArgumentNullException.ThrowIfNull(handlers);
        _authenticator = authenticator;
        _handlers = handlers;
    }

    /// <summary>Authenticates <paramref name="request"/> and, if it may go on, runs <paramref name="route"/>'s handler.</summary>
    public async Task<IResult> DispatchAsync(ApiRoute route, HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(route);
        ArgumentNullException.ThrowIfNull(request);
        if (await _authenticator.AuthenticateAsync(request, cancellationToken).ConfigureAwait(false) is { } refused)
        {
            return refused;
        }

        return await route.Invoke(_handlers, request, cancellationToken).ConfigureAwait(false);
    }
}
