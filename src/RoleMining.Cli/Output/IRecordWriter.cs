namespace RoleMining.Cli.Output;

/// <summary>
/// Writes records page by page as they arrive from SailPoint, so that output starts at once and memory holds one page.
/// </summary>
/// <typeparam name="T">The record type.</typeparam>
internal interface IRecordWriter<T> : IAsyncDisposable
{
    /// <summary>Writes one page and flushes it to the destination.</summary>
    Task WritePageAsync(IReadOnlyList<T> page, CancellationToken cancellationToken);

    /// <summary>Ends the output (closes the JSON array; writes the CSV header when no record came).</summary>
    Task CompleteAsync(CancellationToken cancellationToken);
}
