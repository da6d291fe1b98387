using System.Text.Json.Serialization.Metadata;
using RoleMining.SailPoint;

namespace RoleMining.Cli.Output;

/// <summary>Pages through a SailPoint collection and writes it in the chosen format, one page at a time.</summary>
internal static class RecordOutput
{
    /// <summary>The page size asked for: the largest ISC serves, so that a list costs the fewest rate-limited calls.</summary>
    public const int PageSize = CollectionQuery.MaxPageSize;

    /// <summary>Creates the writer of <paramref name="format"/>.</summary>
    public static IRecordWriter<T> CreateWriter<T>(
        OutputFormat format,
        RecordDestination destination,
        JsonTypeInfo<T> typeInfo,
        Func<IReadOnlyList<T>, IReadOnlyList<RecordColumn<T>>> chooseColumns) => format switch
        {
            OutputFormat.Json => new JsonRecordWriter<T>(destination.Writer, typeInfo, indented: false),
            OutputFormat.Csv => new CsvRecordWriter<T>(destination.Writer, chooseColumns),
            _ => new TableRecordWriter<T>(destination.CreateTableConsole(), chooseColumns, destination.Warn),
        };

    /// <summary>
    /// Writes every page with <paramref name="writer"/>, disposes it, and only then publishes <paramref name="destination"/>
    /// (a writer that flushes on dispose must not meet a file already moved into place). Returns the number of records.
    /// </summary>
    public static async Task<long> WriteAllAsync<T>(
        RecordDestination destination,
        IRecordWriter<T> writer,
        IAsyncEnumerable<Page<T>> pages,
        Action<Page<T>, long, int?>? onPage,
        CancellationToken cancellationToken)
    {
        long count;
        await using (writer)
        {
            count = await CopyAsync(pages, writer, onPage, cancellationToken);
        }

        await destination.CommitAsync(cancellationToken);
        return count;
    }

    /// <summary>
    /// Writes every page; returns the number of records. <paramref name="onPage"/> sees each page after it was written,
    /// with the records written so far and the total when the service sent it.
    /// </summary>
    public static async Task<long> CopyAsync<T>(
        IAsyncEnumerable<Page<T>> pages,
        IRecordWriter<T> writer,
        Action<Page<T>, long, int?>? onPage,
        CancellationToken cancellationToken)
    {
        long count = 0;
        int? total = null;
        await foreach (var page in pages.WithCancellation(cancellationToken))
        {
            await writer.WritePageAsync(page.Values, cancellationToken);
            count += page.Values.Count;
            total ??= page.TotalCount;
            onPage?.Invoke(page, count, total);
        }

        await writer.CompleteAsync(cancellationToken);
        return count;
    }
}
