namespace RoleMining.SailPoint;

/// <summary>One page of results.</summary>
/// <typeparam name="T">The item type.</typeparam>
public sealed record Page<T>
{
    /// <summary>Creates a page.</summary>
    public Page(IReadOnlyList<T> items, int offset, int limit, int? totalCount)
    {
        ArgumentNullException.ThrowIfNull(items);
        Items = items;
        Offset = offset;
        Limit = limit;
        TotalCount = totalCount;
    }

    /// <summary>The items of this page.</summary>
    public IReadOnlyList<T> Items { get; }

    /// <summary>The total from <c>X-Total-Count</c>, when it was asked for and sent.</summary>
    public int? TotalCount { get; }

    /// <summary>The offset this page was requested at.</summary>
    public int Offset { get; }

    /// <summary>The limit this page was requested with.</summary>
    public int Limit { get; }

    /// <summary>
    /// Whether a next page may hold more items: by the total when known, otherwise when this page was full.
    /// </summary>
    public bool HasMore => TotalCount is { } total
        ? Offset + Items.Count < total
        : Limit > 0 && Items.Count >= Limit;
}
