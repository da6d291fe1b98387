using RoleMining.Emulator.Api.Contracts;
using RoleMining.Emulator.Api.Querying;
using static RoleMining.Emulator.Api.Endpoints.EndpointHelpers;

namespace RoleMining.Emulator.Api.Endpoints;

/// <summary>Potential-role summaries of a session, and single potential roles.</summary>
internal static class PotentialRoleEndpoints
{
    private static readonly string[] TextOperators = ["eq", "sw", "co"];
    private static readonly string[] NumberOperators = ["eq", "ge", "gt", "le", "lt"];

    /// <summary>The filters and sorter of role-mining-session-potential-role-summaries.yaml. <c>startDate</c> and
    /// <c>endDate</c> bound the potential role's <c>createdDate</c>.</summary>
    public static readonly CollectionDefinition<TenantPotentialRole> SummaryCollection = new()
    {
        FilterFields = new Dictionary<string, FilterField<TenantPotentialRole>>(StringComparer.Ordinal)
        {
            ["createdById"] = new(FieldKind.String, TextOperators, r => r.CreatedBy?.Id),
            ["createdByName"] = new(FieldKind.String, TextOperators, r => r.CreatedBy?.DisplayName),
            ["description"] = new(FieldKind.String, ["sw", "co"], r => r.Description),
            ["endDate"] = new(FieldKind.DateTime, ["le", "lt"], r => r.CreatedDate),
            ["freshness"] = new(FieldKind.Number, NumberOperators, r => r.Freshness),
            ["name"] = new(FieldKind.String, TextOperators, r => r.Name),
            ["quality"] = new(FieldKind.Number, NumberOperators, r => r.Quality),
            ["startDate"] = new(FieldKind.DateTime, ["ge", "gt"], r => r.CreatedDate),
            ["saved"] = new(FieldKind.Boolean, ["eq"], r => r.Saved),
            ["type"] = new(FieldKind.String, ["eq"], r => r.Type),
        },
        SortFields = new Dictionary<string, Comparison<TenantPotentialRole>>(StringComparer.Ordinal)
        {
            ["createdDate"] = (a, b) => a.CreatedDate.CompareTo(b.CreatedDate),
        },
    };

    public static RequestDelegate ListSummaries { get; } = Handle(async (context, services) =>
    {
        var paging = Paging.Parse(context.Request.Query);
        var filter = SummaryCollection.CompileFilter(OptionalQuery(context, "filters"));
        var sorters = SummaryCollection.ParseSorters(OptionalQuery(context, "sorters"));
        if (await FindSessionAsync(context, services) is { } session)
        {
            var roles = SummaryCollection.Apply(session.PotentialRoles, filter, sorters);
            await WritePageAsync(context, services, paging, roles, DtoMapper.ToSummary, EmulatorJson.Context.IReadOnlyListPotentialRoleSummaryDto);
        }
    });

    /// <summary><c>getPotentialRole</c> (in a session) and <c>getRoleMiningPotentialRole</c> (by id alone).</summary>
    public static RequestDelegate Get { get; } = Handle(async (context, services) =>
    {
        if (await FindPotentialRoleAsync(context, services) is { } role)
        {
            await context.Response.WriteAsJsonAsync(
                DtoMapper.ToPotentialRole(services.Tenant, role), EmulatorJson.Context.PotentialRoleDto, JsonContentType, context.RequestAborted);
        }
    });
}
