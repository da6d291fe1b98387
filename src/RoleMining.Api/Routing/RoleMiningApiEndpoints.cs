using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace RoleMining.Api.Routing;

/// <summary>Maps the route table onto an ASP.NET Core app (the local host and the tests).</summary>
public static class RoleMiningApiEndpoints
{
    /// <summary>
    /// Maps every route of <see cref="ApiRoutes.All"/> under <c>/api</c>, each to its handler behind the authentication gate
    /// (<see cref="ApiRouteDispatcher"/>), named by its operationId, and what no route takes to <see cref="UnroutedRequests"/>.
    /// Requires <c>services.AddRoleMiningApi()</c>.
    /// </summary>
    public static RouteGroupBuilder MapRoleMiningApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var group = endpoints.MapGroup("/" + ApiRoutes.Prefix);
        foreach (var route in ApiRoutes.All)
        {
            group.MapMethods(route.Template, route.Methods, Dispatch((dispatcher, context) => dispatcher.DispatchAsync(route, context.Request, context.RequestAborted)))
                .WithName(route.OperationId)
                .WithDisplayName(route.Summary);
        }

        // Any method: a wrong one on a route's path comes here (routing ranks a catch-all last, and prefers it to its own
        // bare 405), as does an unknown path, so that this host answers as the Functions app does.
        group.Map(UnroutedRequests.Template, Dispatch((dispatcher, context) => dispatcher.DispatchUnroutedAsync(context.Request, context.RequestAborted)))
            .WithName(UnroutedRequests.FunctionName);
        return group;
    }

    private static RequestDelegate Dispatch(Func<ApiRouteDispatcher, HttpContext, Task<IResult>> dispatch) => async context =>
    {
        var result = await dispatch(context.RequestServices.GetRequiredService<ApiRouteDispatcher>(), context).ConfigureAwait(false);
        await result.ExecuteAsync(context).ConfigureAwait(false);
    };
}
