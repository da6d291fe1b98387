using System.Runtime.CompilerServices;

namespace RoleMining.SailPoint;

/// <summary>
/// A collection of the role-mining API, fetched a page at a time as it is read: enumerate it for every item, or call
/// <see cref="AsPages"/> for the pages themselves (their totals, and a continuation token to resume later). The shape
/// is the Azure SDK's <c>Azure.AsyncPageable&lt;T&gt;</c>; that type is not used because its pages must carry an
/// <c>Azure.Response</c>, which this client, built on <see cref="HttpClient"/>, does not have.
/// </summary>
/// <typeparam name="T">The item type.</typeparam>
public abstract class AsyncPageable<T> : IAsyncEnumerable<T>
{
    /// <summary>For a subclass (a test double): pages are read with <see cref="CancellationToken.None"/>.</summary>
    protected AsyncPageable()
        : this(CancellationToken.None)
    {
    }

    /// <summary>For a subclass: <paramref name="cancellationToken"/> is the token of the call that made the collection.</summary>
    protected AsyncPageable(CancellationToken cancellationToken) => CancellationToken = cancellationToken;

    /// <summary>The token of the call that made the collection; every page request observes it.</summary>
    protected CancellationToken CancellationToken { get; }

    /// <summary>
    /// The pages of the collection, from the start or from <paramref name="continuationToken"/> (a
    /// <see cref="Page{T}.ContinuationToken"/>), each holding up to <paramref name="pageSizeHint"/> items (0 to 250;
    /// by default the query's page size).
    /// </summary>
    public abstract IAsyncEnumerable<Page<T>> AsPages(string? continuationToken = null, int? pageSizeHint = null);

    /// <summary>Every item of every page, in order.</summary>
    public virtual IAsyncEnumerator<T> GetAsyncEnumerator(CancellationToken cancellationToken = default) =>
        ItemsAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);

    // An iterator of its own, so that the public method carries no compiler-generated state-machine attribute.
    private async IAsyncEnumerable<T> ItemsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var page in AsPages().WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            foreach (var item in page.Values)
            {
                // A page holds up to 250 items; a caller that cancels mid-page should not have to read the rest.
                cancellationToken.ThrowIfCancellationRequested();
                CancellationToken.ThrowIfCancellationRequested();
                yield return item;
            }
        }
    }

    /// <summary>The pages of <see cref="AsyncPageable.FromPages{T}"/>.</summary>
    internal sealed class StaticPageable(IReadOnlyList<Page<T>> pages) : AsyncPageable<T>
    {
        public override IAsyncEnumerable<Page<T>> AsPages(string? continuationToken = null, int? pageSizeHint = null)
        {
            if (continuationToken is null)
            {
                return FromAsync(0);
            }

            for (var index = 0; index < pages.Count; index++)
            {
                if (string.Equals(pages[index].ContinuationToken, continuationToken, StringComparison.Ordinal))
                {
                    return FromAsync(index + 1);
                }
            }

            throw new ArgumentException("The continuation token is not one of these pages'.", nameof(continuationToken));
        }

        private async IAsyncEnumerable<Page<T>> FromAsync(int start)
        {
            for (var index = start; index < pages.Count; index++)
            {
                await Task.Yield();
                yield return pages[index];
            }
        }
    }
}

/// <summary>Makes an <see cref="AsyncPageable{T}"/> of known pages, for test doubles of <see cref="IRoleMiningClient"/>.</summary>
public static class AsyncPageable
{
    /// <summary>A collection of <paramref name="pages"/>; a continuation token resumes after the page that carries it.</summary>
    public static AsyncPageable<T> FromPages<T>(IEnumerable<Page<T>> pages)
    {
        ArgumentNullException.ThrowIfNull(pages);
        return new AsyncPageable<T>.StaticPageable([.. pages]);
    }
}
