using System.Globalization;
using System.Text.Json.Serialization.Metadata;
using RoleMining.Emulator.Api.Querying;

namespace RoleMining.Emulator.Api.Endpoints;

/// <summary>What every handler needs: route values, lookups with 404s, 400s for bad parameters, and list paging.</summary>
internal static class EndpointHelpers
{
    public const string JsonContentType = "application/json; charset=utf-8";

    /// <summary>Runs <paramref name="handler"/>; a <see cref="QueryException"/> becomes a 400 <c>ErrorResponseDto</c>.</summary>
    public static RequestDelegate Handle(Func<HttpContext, EmulatorServices, Task> handler) => async context =>
    {
        var services = EmulatorServices.Of(context);
        try
        {
            await handler(context, services);
        }
        catch (QueryException exception) when (!context.Response.HasStarted)
        {
            await ApiErrors.BadRequestAsync(context, exception.Message);
        }
    };

    public static string RouteValue(HttpContext context, string name) =>
        context.Request.RouteValues[name] as string ?? throw new InvalidOperationException($"Route value '{name}' is missing.");

    public static EmulatedOperation Operation(HttpContext context) =>
        context.GetEndpoint()?.Metadata.GetMetadata<EmulatedOperation>() ?? EmulatedOperation.Unknown;

    /// <summary>The session of the route, or null after writing a 404.</summary>
    public static async Task<TenantSession?> FindSessionAsync(HttpContext context, EmulatorServices services)
    {
        var sessionId = RouteValue(context, "sessionId");
        var session = services.Tenant.FindSession(sessionId);
        if (session is null)
        {
            await ApiErrors.NotFoundAsync(context, $"Role mining session '{sessionId}' was not found.");
        }

        return session;
    }

    /// <summary>The potential role of the route (within its session, if the route has one), or null after writing a 404.</summary>
    public static async Task<TenantPotentialRole?> FindPotentialRoleAsync(HttpContext context, EmulatorServices services)
    {
        var potentialRoleId = RouteValue(context, "potentialRoleId");
        var role = services.Tenant.FindPotentialRole(potentialRoleId);
        if (context.Request.RouteValues.TryGetValue("sessionId", out var sessionValue) && sessionValue is string sessionId)
        {
            if (services.Tenant.FindSession(sessionId) is null)
            {
                await ApiErrors.NotFoundAsync(context, $"Role mining session '{sessionId}' was not found.");
                return null;
            }

            if (role is not null && !string.Equals(role.Session.Id, sessionId, StringComparison.OrdinalIgnoreCase))
            {
                role = null;
            }
        }

        if (role is null)
        {
            await ApiErrors.NotFoundAsync(context, $"Potential role '{potentialRoleId}' was not found.");
        }

        return role;
    }

    /// <summary>A boolean query parameter, or <paramref name="defaultValue"/> when absent.</summary>
    public static bool BooleanQuery(HttpContext context, string name, bool defaultValue)
    {
        if (!context.Request.Query.TryGetValue(name, out var values))
        {
            return defaultValue;
        }

        return bool.TryParse(values.ToString(), out var value)
            ? value
            : throw new QueryException($"Invalid value '{values}' for query parameter '{name}': must be true or false.");
    }

    public static string? OptionalQuery(HttpContext context, string name) =>
        context.Request.Query.TryGetValue(name, out var values) ? values.ToString() : null;

    /// <summary>Throws the 400 some ISC endpoints give for an offset exactly at the end of the data, when that
    /// behaviour is switched on for the operation.</summary>
    public static void CheckOffsetAtEnd(HttpContext context, EmulatorServices services, Paging paging, long total)
    {
        if (paging.Offset > 0 && paging.Offset == total && services.Options.Faults.For(Operation(context).OperationId).BadRequestForOffsetAtEnd)
        {
            throw new QueryException($"Invalid value '{paging.Offset}' for query parameter 'offset': it must be less than the number of results ({total}).");
        }
    }

    /// <summary>Writes one page of an already filtered and sorted list, with <c>X-Total-Count</c> when asked for.</summary>
    public static Task WritePageAsync<TItem, TDto>(
        HttpContext context, EmulatorServices services, Paging paging, IReadOnlyList<TItem> items, Func<TItem, TDto> map, JsonTypeInfo<IReadOnlyList<TDto>> typeInfo)
    {
        CheckOffsetAtEnd(context, services, paging, items.Count);
        if (paging.Count)
        {
            context.Response.Headers["X-Total-Count"] = items.Count.ToString(CultureInfo.InvariantCulture);
        }

        IReadOnlyList<TDto> page = items.Skip(paging.Offset).Take(paging.Limit).Select(map).ToList();
        return context.Response.WriteAsJsonAsync(page, typeInfo, JsonContentType, context.RequestAborted);
    }
}
