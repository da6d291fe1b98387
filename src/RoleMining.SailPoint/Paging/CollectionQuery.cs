namespace RoleMining.SailPoint;

/// <summary>
/// What to read of a collection: filters, sort order, page size, and whether to ask for the total.
/// <see cref="Filters"/> and <see cref="Sorters"/> are passed through unchanged in ISC's standard collection syntax
/// (e.g. <c>name sw "A"</c>, <c>-name</c>).
/// </summary>
public sealed record CollectionQuery
{
    /// <summary>The largest page ISC serves.</summary>
    public const int MaxPageSize = 250;

    /// <summary>ISC <c>filters</c> expression, or null.</summary>
    public string? Filters { get; init; }

    /// <summary>ISC <c>sorters</c> expression (comma-separated, <c>-</c> for descending), or null.</summary>
    public string? Sorters { get; init; }

    /// <summary>Items requested per page, 1 to 250.</summary>
    public int PageSize { get; init; } = MaxPageSize;

    /// <summary>
    /// Where the first page starts (ISC's <c>offset</c>, 0 or more), for a caller that was given an offset; to resume
    /// pages this client read, use <see cref="Page{T}.ContinuationToken"/>.
    /// </summary>
    public int Offset { get; init; }

    /// <summary>
    /// Asks for <c>X-Total-Count</c> on the first page read (<c>count=true</c>), given as its
    /// <see cref="Page{T}.TotalCount"/>. Paging then stops exactly at the total instead of asking for one more page. It
    /// costs the service some work, so it is off by default.
    /// </summary>
    public bool IncludeTotal { get; init; }
}
