namespace RoleMining.Exports;

/// <summary>
/// Stores export files under '/'-separated relative paths (<see cref="ExportArtifactLayout"/>). Content is always
/// written to a staging path first and then published under its final path in one step, so a reader never sees half a
/// file. An Azure Blob Storage adapter maps this to: staged blocks of the staging blob, uploaded while it is written and
/// committed when the stream is disposed, a server-side copy to the final blob followed by deleting the staging blob (publish),
/// a seekable <c>OpenReadAsync</c>, <c>GetBlobsAsync(prefix)</c> and <c>DeleteIfExistsAsync</c>.
/// </summary>
public interface IExportArtifactStore
{
    /// <summary>
    /// Opens a stream that writes <paramref name="stagingPath"/>, replacing any content there. The content is complete
    /// once the stream is disposed; a stream abandoned midway leaves at most a partial staging file. A writer that gives up
    /// midway calls <see cref="IAbandonableWrite.Abandon"/> before disposing when the stream implements it.
    /// </summary>
    Task<Stream> OpenStagingWriteAsync(string stagingPath, CancellationToken cancellationToken = default);

    /// <summary>
    /// Makes the content of <paramref name="stagingPath"/> the content of <paramref name="path"/> at once (replacing it),
    /// and removes the staging file.
    /// </summary>
    Task PublishAsync(string stagingPath, string path, CancellationToken cancellationToken = default);

    /// <summary>Opens a file for reading (seekable); null when there is no such file.</summary>
    Task<Stream?> OpenReadAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>Every file whose path starts with <paramref name="prefix"/> (empty: every file), staging files included.</summary>
    IAsyncEnumerable<ArtifactItem> ListAsync(string prefix, CancellationToken cancellationToken = default);

    /// <summary>Deletes a file; false when there was none.</summary>
    Task<bool> DeleteAsync(string path, CancellationToken cancellationToken = default);
}

/// <summary>A stored file.</summary>
/// <param name="Path">Its '/'-separated relative path.</param>
/// <param name="Size">Its size in bytes.</param>
/// <param name="LastModified">When it was last written.</param>
public sealed record ArtifactItem(string Path, long Size, DateTimeOffset LastModified);
