using RoleMining.Emulator.Api.Contracts;
using RoleMining.Emulator.Api.Querying;
using static RoleMining.Emulator.Api.Endpoints.EndpointHelpers;

namespace RoleMining.Emulator.Api.Endpoints;

/// <summary><c>.../potential-roles/{potentialRoleId}/entitlement-popularities</c>.</summary>
internal static class EntitlementEndpoints
{
    /// <summary>Filters <c>applicationName: sw</c>, <c>entitlementRef.name: sw</c>; sorters <c>popularity,
    /// entitlementName, applicationName</c>, by default popularity descending (the path file says so).</summary>
    public static readonly CollectionDefinition<TenantEntitlement> Collection = new()
    {
        FilterFields = new Dictionary<string, FilterField<TenantEntitlement>>(StringComparer.Ordinal)
        {
            ["applicationName"] = new(FieldKind.String, ["sw"], e => e.ApplicationName),
            ["entitlementRef.name"] = new(FieldKind.String, ["sw"], e => e.RefName),
        },
        SortFields = new Dictionary<string, Comparison<TenantEntitlement>>(StringComparer.Ordinal)
        {
            ["popularity"] = (a, b) => a.Popularity.CompareTo(b.Popularity),
            ["entitlementName"] = (a, b) => string.Compare(a.Name, b.Name, StringComparison.OrdinalIgnoreCase),
            ["applicationName"] = (a, b) => string.Compare(a.ApplicationName, b.ApplicationName, StringComparison.OrdinalIgnoreCase),
        },
        DefaultSort = [new SortKey("popularity", Descending: true)],
    };

    public static RequestDelegate List { get; } = Handle(async (context, services) =>
    {
        var paging = Paging.Parse(context.Request.Query);
        var includeCommonAccess = BooleanQuery(context, "includeCommonAccess", defaultValue: true);
        var filter = Collection.CompileFilter(OptionalQuery(context, "filters"));
        var sorters = Collection.ParseSorters(OptionalQuery(context, "sorters"));
        if (await FindPotentialRoleAsync(context, services) is { } role)
        {
            var source = services.Tenant.GetEntitlements(role).Where(e => includeCommonAccess || !e.IsCommonAccess);
            var entitlements = Collection.Apply(source, filter, sorters);
            await WritePageAsync(context, services, paging, entitlements, DtoMapper.ToEntitlement, EmulatorJson.Context.IReadOnlyListEntitlementDto);
        }
    });
}
