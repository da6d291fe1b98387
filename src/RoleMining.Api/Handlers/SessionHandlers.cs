using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RoleMining.Api.Problems;
using RoleMining.Api.Routing;
using RoleMining.Api.Streaming;
using RoleMining.Api.Validation;
using RoleMining.SailPoint;
using RoleMining.SailPoint.Models;

namespace RoleMining.Api;

/// <summary>The read operations: sessions, potential roles and identities, as ISC returns them, page by page.</summary>
public sealed class SessionHandlers : ApiHandlers
{
    private readonly IRoleMiningClient _client;

    /// <summary>Creates the handlers.</summary>
    public SessionHandlers(IRoleMiningClient client, IOptions<RoleMiningApiOptions> options, ILogger<SessionHandlers> logger)
        : base(options?.Value!, logger)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
    }

    /// <summary>
    /// <c>GET /api/sessions</c>: one page of role-mining sessions (<c>offset</c>, <c>limit</c> up to 250, <c>count</c> for
    /// <c>X-Total-Count</c>, <c>sorters</c> and <c>filters</c> as ISC supports them), as ISC returns them.
    /// </summary>
    public Task<IResult> ListSessionsAsync(HttpRequest request, CancellationToken cancellationToken) =>
        RunAsync(request, ApiRoutes.ListSessions, async () =>
        {
            var check = RequestCheck.Of(request, PageQuery.Parameters);
            var page = PageQuery.Read(check, SailPointCollections.Sessions);
            check.Accept(ContentNegotiation.Json);
            if (check.Problem is { } problem)
            {
                return problem;
            }

            var result = await page.ReadAsync(_client.GetSessionsAsync(page.Query, cancellationToken)).ConfigureAwait(false);
            return WithTotal(Json(AsList(result.Values)), result.TotalCount);
        }, cancellationToken);

    /// <summary><c>GET /api/sessions/{sessionId}</c>: the session, as ISC returns it.</summary>
    public Task<IResult> GetSessionAsync(HttpRequest request, string sessionId, CancellationToken cancellationToken) =>
        RunAsync(request, ApiRoutes.GetSession, async () =>
        {
            var check = RequestCheck.Of(request).SailPointId(nameof(sessionId), sessionId);
            check.Accept(ContentNegotiation.Json);
            return check.Problem ?? Json(await _client.GetSessionAsync(sessionId, cancellationToken).ConfigureAwait(false));
        }, cancellationToken);

    /// <summary>
    /// <c>GET /api/sessions/{sessionId}/potential-roles</c>: one page of potential-role summaries (<c>offset</c>, <c>limit</c>
    /// up to 250, <c>count</c> for <c>X-Total-Count</c>, <c>sorters</c> and <c>filters</c> as ISC supports them).
    /// </summary>
    public Task<IResult> ListPotentialRolesAsync(HttpRequest request, string sessionId, CancellationToken cancellationToken) =>
        RunAsync(request, ApiRoutes.ListPotentialRoles, async () =>
        {
            var check = RequestCheck.Of(request, PageQuery.Parameters).SailPointId(nameof(sessionId), sessionId);
            var page = PageQuery.Read(check, SailPointCollections.PotentialRoleSummaries);
            check.Accept(ContentNegotiation.Json);
            if (check.Problem is { } problem)
            {
                return problem;
            }

            var result = await page.ReadAsync(_client.GetPotentialRoleSummariesAsync(sessionId, page.Query, cancellationToken)).ConfigureAwait(false);
            return WithTotal(Json(AsList(result.Values)), result.TotalCount);
        }, cancellationToken);

    /// <summary>
    /// <c>GET /api/sessions/{sessionId}/potential-roles/{potentialRoleId}/identities</c>: one page (<c>offset</c>,
    /// <c>limit</c>, <c>count</c>, <c>sorters</c>, <c>filters</c>), or with <c>all=true</c> every identity, streamed page by
    /// page. JSON by default; CSV with <c>Accept: text/csv</c>.
    /// </summary>
    public Task<IResult> ListPotentialRoleIdentitiesAsync(HttpRequest request, string sessionId, string potentialRoleId, CancellationToken cancellationToken) =>
        RunAsync(request, ApiRoutes.ListPotentialRoleIdentities, async () =>
        {
            var check = RequestCheck.Of(request, [.. PageQuery.Parameters, PageQuery.All])
                .SailPointId(nameof(sessionId), sessionId)
                .SailPointId(nameof(potentialRoleId), potentialRoleId);
            var all = check.Query.Boolean(PageQuery.All);
            if (all && (check.Query.Has(PageQuery.Offset) || check.Query.Has(PageQuery.Limit)))
            {
                check.Errors.Add(PageQuery.All, "'all=true' returns every identity; leave out 'offset' and 'limit'.");
            }

            var page = PageQuery.Read(check, SailPointCollections.PotentialRoleIdentities);
            var mediaType = check.Accept(ContentNegotiation.Json, ContentNegotiation.Csv);
            if (check.Problem is { } problem)
            {
                return problem;
            }

            if (all)
            {
                page = page with { Limit = CollectionQuery.MaxPageSize, Query = page.Query with { Offset = 0 } };
            }

            var identities = _client.GetPotentialRoleIdentitiesAsync(sessionId, potentialRoleId, page.Query, cancellationToken);
            if (!all && mediaType == ContentNegotiation.Json)
            {
                var result = await page.ReadAsync(identities).ConfigureAwait(false);
                return WithTotal(Json(AsList(result.Values)), result.TotalCount);
            }

            // The first page is fetched here, before any byte is written, so that an unknown role or a SailPoint failure is
            // still answered with its proper status; the stream goes on with the same pages when all=true.
            // The pages also stop when the caller goes away (the function's own token may outlive the connection).
            var pages = identities.AsPages(pageSizeHint: page.Limit).GetAsyncEnumerator(request.HttpContext.RequestAborted);
            var handedOver = false;
            try
            {
                var first = await pages.MoveNextAsync().ConfigureAwait(false) ? pages.Current : new Page<RoleMiningIdentity>([], null);
                var result = new IdentityStreamResult(first, all ? pages : null, sessionId, potentialRoleId, mediaType!, Logger);
                handedOver = all;
                return result;
            }
            finally
            {
                if (!handedOver)
                {
                    await pages.DisposeAsync().ConfigureAwait(false);
                }
            }
        }, cancellationToken);

    private static IResult WithTotal(IResult result, int? total) =>
        total is { } value ? new HeaderResult(result, ("X-Total-Count", value.ToString(CultureInfo.InvariantCulture))) : result;

    private static List<T> AsList<T>(IReadOnlyList<T> items) => items as List<T> ?? [.. items];
}
