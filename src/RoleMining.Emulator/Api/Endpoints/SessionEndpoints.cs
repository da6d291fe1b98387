using RoleMining.Emulator.Api.Contracts;
using RoleMining.Emulator.Api.Querying;
using static RoleMining.Emulator.Api.Endpoints.EndpointHelpers;

namespace RoleMining.Emulator.Api.Endpoints;

/// <summary>Sessions: list, get, status.</summary>
internal static class SessionEndpoints
{
    /// <summary>Filters <c>saved: eq</c>, <c>name: eq, sw</c>; sorters <c>createdBy, createdDate</c> (role-mining-sessions.yaml).</summary>
    public static readonly CollectionDefinition<TenantSession> Collection = new()
    {
        FilterFields = new Dictionary<string, FilterField<TenantSession>>(StringComparer.Ordinal)
        {
            ["saved"] = new(FieldKind.Boolean, ["eq"], s => s.Saved),
            ["name"] = new(FieldKind.String, ["eq", "sw"], s => s.Name),
        },
        SortFields = new Dictionary<string, Comparison<TenantSession>>(StringComparer.Ordinal)
        {
            ["createdBy"] = (a, b) => string.Compare(a.CreatedBy?.DisplayName, b.CreatedBy?.DisplayName, StringComparison.OrdinalIgnoreCase),
            ["createdDate"] = (a, b) => a.CreatedDate.CompareTo(b.CreatedDate),
        },
    };

    public static RequestDelegate List { get; } = Handle((context, services) =>
    {
        var paging = Paging.Parse(context.Request.Query);
        var filter = Collection.CompileFilter(OptionalQuery(context, "filters"));
        var sorters = Collection.ParseSorters(OptionalQuery(context, "sorters"));
        var sessions = Collection.Apply(services.Tenant.Sessions, filter, sorters);
        return WritePageAsync(context, services, paging, sessions, DtoMapper.ToSessionResponse, EmulatorJson.Context.IReadOnlyListSessionResponseDto);
    });

    public static RequestDelegate Get { get; } = Handle(async (context, services) =>
    {
        if (await FindSessionAsync(context, services) is { } session)
        {
            await context.Response.WriteAsJsonAsync(DtoMapper.ToSessionResponse(session), EmulatorJson.Context.SessionResponseDto, JsonContentType, context.RequestAborted);
        }
    });

    public static RequestDelegate Status { get; } = Handle(async (context, services) =>
    {
        if (await FindSessionAsync(context, services) is { } session)
        {
            await context.Response.WriteAsJsonAsync(new SessionStatusDto(session.State), EmulatorJson.Context.SessionStatusDto, JsonContentType, context.RequestAborted);
        }
    });
}
