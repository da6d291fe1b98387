namespace RoleMining.SailPoint.Models;

/// <summary>
/// A streamed export download. <see cref="Content"/> reads straight from the network: nothing is buffered whole.
/// Dispose it to release the connection. A connection that breaks mid-body surfaces as an <see cref="IOException"/>
/// from <see cref="Content"/>; compare the bytes read with <see cref="Length"/> to detect a short body.
/// </summary>
public sealed class ExportDownload : IAsyncDisposable, IDisposable
{
    private readonly IDisposable? _owner;

    /// <summary>Creates a download over a stream; <paramref name="owner"/> (e.g. the HTTP response) is disposed with it.</summary>
    public ExportDownload(Stream content, long? length, string? fileName, string? contentType, IDisposable? owner = null)
    {
        ArgumentNullException.ThrowIfNull(content);
        Content = content;
        Length = length;
        FileName = fileName;
        ContentType = contentType;
        _owner = owner;
    }

    /// <summary>The body of the zip file, read from the network as it is consumed.</summary>
    public Stream Content { get; }

    /// <summary>The length announced by <c>Content-Length</c>, if any.</summary>
    public long? Length { get; }

    /// <summary>The file name from <c>Content-Disposition</c>, if any.</summary>
    public string? FileName { get; }

    /// <summary>The media type from <c>Content-Type</c>, if any.</summary>
    public string? ContentType { get; }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await Content.DisposeAsync().ConfigureAwait(false);
        _owner?.Dispose();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Content.Dispose();
        _owner?.Dispose();
    }
}
