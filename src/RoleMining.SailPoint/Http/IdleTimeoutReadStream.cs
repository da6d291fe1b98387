using System.Globalization;
using System.Runtime.CompilerServices;

namespace RoleMining.SailPoint.Http;

/// <summary>
/// A download body that gives up when no byte arrives for <c>idleTimeout</c> during a read: a connection dropped without a
/// reset (an idle NAT or load-balancer entry that expired) otherwise blocks a read for ever, and the attempt's lease, renewed
/// by a live process, would keep any other instance from taking the job over. The clock runs only while a read waits, so a
/// consumer that pauses (storage applying back-pressure) is never timed out. Written by hand: HttpClient's timeouts end at
/// the response headers, and no library times out individual reads of a stream.
/// </summary>
internal sealed class IdleTimeoutReadStream(Stream inner, TimeSpan idleTimeout, TimeProvider timeProvider) : Stream
{
    private CancellationTokenSource? _idle;
    private CancellationToken _idleLinkedTo;
    private CancellationTokenRegistration _callerCancels;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    // Pooled: a download makes thousands of reads that wait for the socket, and each would otherwise allocate a state machine.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var idle = IdleSourceFor(cancellationToken);
        idle.CancelAfter(idleTimeout);
        try
        {
            return await inner.ReadAsync(buffer, idle.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException exception) when (!cancellationToken.IsCancellationRequested && idle.IsCancellationRequested)
        {
            throw new HttpIOException(
                HttpRequestError.ResponseEnded,
                string.Create(CultureInfo.InvariantCulture, $"No byte of the download arrived for {idleTimeout.TotalSeconds:0.#} s (SailPoint:Timeouts:DownloadIdle); the connection was given up."),
                new TimeoutException(exception.Message, exception));
        }
        catch (IOException exception) when (exception is not HttpIOException)
        {
            // A reset mid-body comes as a plain IOException (from the socket); as an HttpIOException it cannot be taken for
            // a storage failure by whoever reads the download.
            throw new HttpIOException(HttpRequestError.ResponseEnded, $"The download's connection broke: {exception.Message}", exception);
        }
        finally
        {
            // Stop the clock between reads; a source that fired is not reused (IdleSourceFor replaces it).
            idle.CancelAfter(Timeout.InfiniteTimeSpan);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>Synchronous reads cannot be given up; they pass through unguarded (the workflow reads asynchronously).</summary>
    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            ReleaseIdleSource();
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        ReleaseIdleSource();
        await inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>One source for every read with the same caller token (the usual case), so that a read allocates nothing.</summary>
    private CancellationTokenSource IdleSourceFor(CancellationToken cancellationToken)
    {
        if (_idle is { IsCancellationRequested: false } current && _idleLinkedTo == cancellationToken)
        {
            return current;
        }

        ReleaseIdleSource();
        _idleLinkedTo = cancellationToken;
        // Not a linked source: its timer must run on the TimeProvider, so the caller's token is registered instead.
        var idle = new CancellationTokenSource(Timeout.InfiniteTimeSpan, timeProvider);
        _callerCancels = cancellationToken.UnsafeRegister(static state => ((CancellationTokenSource)state!).Cancel(), idle);
        _idle = idle;
        return idle;
    }

    private void ReleaseIdleSource()
    {
        _callerCancels.Dispose();
        _idle?.Dispose();
        _idle = null;
    }
}
