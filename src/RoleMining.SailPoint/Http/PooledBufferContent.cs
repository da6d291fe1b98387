using System.Buffers;
using System.Net;

namespace RoleMining.SailPoint.Http;

/// <summary>
/// A JSON body read whole into a pooled array, inside the attempt (so a connection that breaks mid-body is retried).
/// The client then deserialises straight from the span: System.Text.Json's fastest path, with no per-chunk async
/// state and no intermediate copies. The array goes back to the pool when the response is disposed.
/// </summary>
internal sealed class PooledBufferContent : HttpContent
{
    // A page is 250 items; anything near this size is not a role-mining body.
    private const int MaxBodyBytes = 256 * 1024 * 1024;
    private const int InitialBufferBytes = 64 * 1024;

    private byte[]? _buffer;
    private readonly int _length;

    private PooledBufferContent(byte[] buffer, int length)
    {
        _buffer = buffer;
        _length = length;
    }

    public ReadOnlySpan<byte> Span => (_buffer ?? throw new ObjectDisposedException(nameof(PooledBufferContent))).AsSpan(0, _length);

    public static async Task<PooledBufferContent> ReadAsync(HttpContent source, CancellationToken cancellationToken)
    {
        var announced = source.Headers.ContentLength;
        var buffer = ArrayPool<byte>.Shared.Rent(announced is > 0 and < MaxBodyBytes ? (int)announced.Value + 1 : InitialBufferBytes);
        var length = 0;
        try
        {
            var stream = await source.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                int read;
                while ((read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false)) > 0)
                {
                    length += read;
                    if (length == buffer.Length)
                    {
                        if (buffer.Length >= MaxBodyBytes)
                        {
                            throw new HttpRequestException(HttpRequestError.ConfigurationLimitExceeded, "The response body exceeds 256 MB.");
                        }

                        var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                        buffer.AsSpan(0, length).CopyTo(larger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = larger;
                    }
                }
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }

        var content = new PooledBufferContent(buffer, length);
        foreach (var header in source.Headers.NonValidated)
        {
            content.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        return content;
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        stream.WriteAsync(_buffer ?? throw new ObjectDisposedException(nameof(PooledBufferContent)), 0, _length);

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken) =>
        stream.WriteAsync(_buffer.AsMemory(0, _length), cancellationToken).AsTask();

    protected override Stream CreateContentReadStream(CancellationToken cancellationToken) => ReadStream();

    protected override Task<Stream> CreateContentReadStreamAsync() => Task.FromResult<Stream>(ReadStream());

    protected override bool TryComputeLength(out long length)
    {
        length = _length;
        return true;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _buffer, null) is { } buffer)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        base.Dispose(disposing);
    }

    private MemoryStream ReadStream() =>
        new(_buffer ?? throw new ObjectDisposedException(nameof(PooledBufferContent)), 0, _length, writable: false);
}
