namespace RoleMining.SailPoint;

/// <summary>The query of one page request (<c>offset</c>, <c>limit</c>, <c>filters</c>, <c>sorters</c>, <c>count</c>).</summary>
internal sealed record PageRequest
{
    /// <summary>Offset into the full result set (0 or more).</summary>
    public int Offset { get; init; }

    /// <summary>Max number of results, 0 to 250.</summary>
    public int Limit { get; init; } = CollectionQuery.MaxPageSize;

    /// <summary>ISC <c>filters</c> expression, or null.</summary>
    public string? Filters { get; init; }

    /// <summary>ISC <c>sorters</c> expression, or null.</summary>
    public string? Sorters { get; init; }

    /// <summary>Sends <c>count=true</c> so that ISC sends <c>X-Total-Count</c>.</summary>
    public bool Count { get; init; }
}
