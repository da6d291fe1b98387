using System.Globalization;
using Microsoft.AspNetCore.Http;
using RoleMining.Api.Problems;
using RoleMining.Api.Routing;
using RoleMining.Api.Streaming;
using RoleMining.Api.Validation;
using RoleMining.SailPoint;
using RoleMining.SailPoint.Models;

namespace RoleMining.Api;

public sealed partial class RoleMiningApiHandlers
{
    /// <summary>Query parameters of the paged operations.</summary>
    private static class Query
    {
        public const string Offset = "offset";
        public const string Limit = "limit";
        public const string Count = "count";
        public const string Sorters = "sorters";
        public const string Filters = "filters";
        public const string All = "all";
    }

    /// <summary>
    /// <c>GET /api/sessions</c>: one page of role-mining sessions (<c>offset</c>, <c>limit</c> up to 250, <c>count</c> for
    /// <c>X-Total-Count</c>, <c>sorters</c> and <c>filters</c> as ISC supports them), as ISC returns them.
    /// </summary>
    public Task<IResult> ListSessionsAsync(HttpRequest request, CancellationToken cancellationToken) =>
        RunAsync(request, ApiRoutes.ListSessions, async () =>
        {
            var errors = new RequestErrors();
            var query = new QueryReader(request.Query, errors);
            query.RejectUnknown(Query.Offset, Query.Limit, Query.Count, Query.Sorters, Query.Filters);
            var page = ReadPageRequest(query, errors, SailPointCollections.Sessions);
            ContentNegotiation.Choose(request, errors, ContentNegotiation.Json);
            if (errors.Any)
            {
                return ApiProblems.Validation(request, errors);
            }

            var result = await _client.GetSessionsPageAsync(page, cancellationToken).ConfigureAwait(false);
            return WithTotal(Json(AsList(result.Items)), result.TotalCount);
        }, cancellationToken);

    /// <summary><c>GET /api/sessions/{sessionId}</c>: the session, as ISC returns it.</summary>
    public Task<IResult> GetSessionAsync(HttpRequest request, string sessionId, CancellationToken cancellationToken) =>
        RunAsync(request, ApiRoutes.GetSession, async () =>
        {
            var errors = new RequestErrors();
            new QueryReader(request.Query, errors).RejectUnknown();
            RequireSailPointId(errors, nameof(sessionId), sessionId);
            ContentNegotiation.Choose(request, errors, ContentNegotiation.Json);
            if (errors.Any)
            {
                return ApiProblems.Validation(request, errors);
            }

            var session = await _client.GetSessionAsync(sessionId, cancellationToken).ConfigureAwait(false);
            return Json(session);
        }, cancellationToken);

    /// <summary>
    /// <c>GET /api/sessions/{sessionId}/potential-roles</c>: one page of potential-role summaries (<c>offset</c>, <c>limit</c>
    /// up to 250, <c>count</c> for <c>X-Total-Count</c>, <c>sorters</c> and <c>filters</c> as ISC supports them).
    /// </summary>
    public Task<IResult> ListPotentialRolesAsync(HttpRequest request, string sessionId, CancellationToken cancellationToken) =>
        RunAsync(request, ApiRoutes.ListPotentialRoles, async () =>
        {
            var errors = new RequestErrors();
            var query = new QueryReader(request.Query, errors);
            query.RejectUnknown(Query.Offset, Query.Limit, Query.Count, Query.Sorters, Query.Filters);
            RequireSailPointId(errors, nameof(sessionId), sessionId);
            var page = ReadPageRequest(query, errors, SailPointCollections.PotentialRoleSummaries);
            ContentNegotiation.Choose(request, errors, ContentNegotiation.Json);
            if (errors.Any)
            {
                return ApiProblems.Validation(request, errors);
            }

            var result = await _client.GetPotentialRoleSummariesPageAsync(sessionId, page, cancellationToken).ConfigureAwait(false);
            return WithTotal(Json(AsList(result.Items)), result.TotalCount);
        }, cancellationToken);

    /// <summary>
    /// <c>GET /api/sessions/{sessionId}/potential-roles/{potentialRoleId}/identities</c>: one page (<c>offset</c>,
    /// <c>limit</c>, <c>count</c>, <c>sorters</c>, <c>filters</c>), or with <c>all=true</c> every identity, streamed page by
    /// page. JSON by default; CSV with <c>Accept: text/csv</c>.
    /// </summary>
    public Task<IResult> ListPotentialRoleIdentitiesAsync(HttpRequest request, string sessionId, string potentialRoleId, CancellationToken cancellationToken) =>
        RunAsync(request, ApiRoutes.ListPotentialRoleIdentities, async () =>
        {
            var errors = new RequestErrors();
            var query = new QueryReader(request.Query, errors);
            query.RejectUnknown(Query.Offset, Query.Limit, Query.Count, Query.Sorters, Query.Filters, Query.All);
            RequireSailPointId(errors, nameof(sessionId), sessionId);
            RequireSailPointId(errors, nameof(potentialRoleId), potentialRoleId);
            var all = query.Boolean(Query.All);
            if (all && (query.Has(Query.Offset) || query.Has(Query.Limit)))
            {
                errors.Add(Query.All, "'all=true' returns every identity; leave out 'offset' and 'limit'.");
            }

            var page = ReadPageRequest(query, errors, SailPointCollections.PotentialRoleIdentities);
            var mediaType = ContentNegotiation.Choose(request, errors, ContentNegotiation.Json, ContentNegotiation.Csv);
            if (errors.Any)
            {
                return ApiProblems.Validation(request, errors);
            }

            if (all)
            {
                page = page with { Offset = 0, Limit = CollectionQuery.MaxPageSize };
            }

            // The first page is fetched here, before any byte is written, so that an unknown role or a SailPoint failure is
            // still answered with its proper status.
            var first = await _client.GetPotentialRoleIdentitiesPageAsync(sessionId, potentialRoleId, page, cancellationToken).ConfigureAwait(false);
            if (!all && mediaType == ContentNegotiation.Json)
            {
                return WithTotal(Json(AsList(first.Items)), first.TotalCount);
            }

            return new IdentityStreamResult(_client, sessionId, potentialRoleId, page, first, all, mediaType!, _logger);
        }, cancellationToken);

    private static PageRequest ReadPageRequest(QueryReader query, RequestErrors errors, CollectionRules rules)
    {
        var offset = query.WholeNumber(Query.Offset, 0, 0, int.MaxValue);
        var limit = query.WholeNumber(Query.Limit, CollectionQuery.MaxPageSize, 0, CollectionQuery.MaxPageSize);
        var count = query.Boolean(Query.Count);
        var sorters = query.Text(Query.Sorters);
        if (sorters is not null && CollectionQueryValidator.ValidateSorters(sorters, rules) is { } sorterError)
        {
            errors.Add(Query.Sorters, sorterError);
        }

        var filters = query.Text(Query.Filters);
        if (filters is not null && CollectionQueryValidator.ValidateFilters(filters, rules) is { } filterError)
        {
            errors.Add(Query.Filters, filterError);
        }

        return new PageRequest { Offset = offset, Limit = limit, Count = count, Sorters = sorters, Filters = filters };
    }

    private static IResult WithTotal(IResult result, int? total) =>
        total is { } value ? new HeaderResult(result, ("X-Total-Count", value.ToString(CultureInfo.InvariantCulture))) : result;

    private static List<T> AsList<T>(IReadOnlyList<T> items) => items as List<T> ?? [.. items];
}
