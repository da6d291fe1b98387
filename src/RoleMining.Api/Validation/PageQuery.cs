using RoleMining.SailPoint;

namespace RoleMining.Api.Validation;

/// <summary>One page a caller asked for: how many items, and the query of the collection (where it starts included).</summary>
internal sealed record RequestedPage(int Limit, CollectionQuery Query)
{
    /// <summary>The page of <paramref name="pageable"/> (made with <see cref="Query"/>) this asks for.</summary>
    public async Task<Page<T>> ReadAsync<T>(AsyncPageable<T> pageable)
    {
        await foreach (var page in pageable.AsPages(pageSizeHint: Limit).ConfigureAwait(false))
        {
            return page;
        }

        return new Page<T>([], continuationToken: null, totalCount: null);
    }
}

/// <summary>The query parameters of the paged operations, read into a <see cref="RequestedPage"/>.</summary>
internal static class PageQuery
{
    public const string Offset = "offset";
    public const string Limit = "limit";
    public const string Count = "count";
    public const string Sorters = "sorters";
    public const string Filters = "filters";
    public const string All = "all";

    /// <summary>The parameters every paged operation takes.</summary>
    public static readonly string[] Parameters = [Offset, Limit, Count, Sorters, Filters];

    /// <summary>
    /// <c>offset</c>, <c>limit</c> (up to 250), <c>count</c>, and <c>sorters</c> and <c>filters</c> as ISC supports them for
    /// the collection of <paramref name="rules"/>; problems go to <paramref name="check"/>.
    /// </summary>
    public static RequestedPage Read(RequestCheck check, CollectionRules rules)
    {
        var query = check.Query;
        var offset = query.WholeNumber(Offset, 0, 0, int.MaxValue);
        var limit = query.WholeNumber(Limit, CollectionQuery.MaxPageSize, 0, CollectionQuery.MaxPageSize);
        var count = query.Boolean(Count);
        var sorters = query.Text(Sorters);
        if (sorters is not null && CollectionQueryValidator.ValidateSorters(sorters, rules) is { } sorterError)
        {
            check.Errors.Add(Sorters, sorterError);
        }

        var filters = query.Text(Filters);
        if (filters is not null && CollectionQueryValidator.ValidateFilters(filters, rules) is { } filterError)
        {
            check.Errors.Add(Filters, filterError);
        }

        return new RequestedPage(limit, new CollectionQuery { Offset = offset, IncludeTotal = count, Sorters = sorters, Filters = filters });
    }
}
