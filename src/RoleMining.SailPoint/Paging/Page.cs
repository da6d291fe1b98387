namespace RoleMining.SailPoint;

/// <summary>One page of a collection (<see cref="AsyncPageable{T}.AsPages"/>).</summary>
/// <typeparam name="T">The item type.</typeparam>
public sealed class Page<T>
{
    /// <summary>Creates a page (for test doubles; the client makes its own).</summary>
    public Page(IReadOnlyList<T> values, string? continuationToken, int? totalCount = null)
    {
        ArgumentNullException.ThrowIfNull(values);
        Values = values;
        ContinuationToken = continuationToken;
        TotalCount = totalCount;
    }

    /// <summary>The items of this page.</summary>
    public IReadOnlyList<T> Values { get; }

    /// <summary>
    /// Where the next page starts, to pass to <see cref="AsyncPageable{T}.AsPages"/> later; null when this page is the
    /// last. Opaque: only a token this client gave resumes (an offset from elsewhere is <see cref="CollectionQuery.Offset"/>).
    /// </summary>
    public string? ContinuationToken { get; }

    /// <summary>
    /// The total from <c>X-Total-Count</c>, when it was asked for (<see cref="CollectionQuery.IncludeTotal"/>): on the first
    /// page read and every page after it.
    /// </summary>
    public int? TotalCount { get; }
}
