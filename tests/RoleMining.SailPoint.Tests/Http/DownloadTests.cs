using System.Net;
using System.Net.Http.Headers;
using RoleMining.SailPoint.Tests.Infrastructure;

namespace RoleMining.SailPoint.Tests.Http;

public sealed class DownloadTests
{
    [Fact]
    public async Task The_download_is_a_stream_that_is_read_as_it_is_consumed()
    {
        const long size = 256L * 1024 * 1024;
        var body = new GeneratedStream(size);
        var handler = new StubHandler
        {
            Api = (_, _) =>
            {
                var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(body) };
                response.Content.Headers.ContentType = new MediaTypeHeaderValue("application/zip");
                response.Content.Headers.ContentLength = size;
                response.Content.Headers.ContentDisposition = new ContentDispositionHeaderValue("attachment") { FileName = "\"role.zip\"" };
                return Task.FromResult(response);
            },
        };
        using var client = TestClients.Create(handler);

        await using var download = await client.DownloadExportAsync("s1", "p1", "e1");
        var buffer = new byte[4096];
        var read = await download.Content.ReadAsync(buffer);

        Assert.True(read > 0);
        Assert.Equal(size, download.Length);
        Assert.Equal("role.zip", download.FileName);
        Assert.Equal("application/zip", download.ContentType);

        // Only what was asked for (plus a buffer) has been produced: the 256 MB body was not loaded.
        Assert.True(body.Produced < 4 * 1024 * 1024, $"{body.Produced} bytes produced");
    }

    [Fact]
    public async Task A_failed_download_reads_the_error_body()
    {
        var handler = new StubHandler
        {
            Api = (_, _) => Task.FromResult(StubHandler.Json(HttpStatusCode.BadRequest, """{"detailCode":"400.1","messages":[{"text":"Export is not finished"}]}""")),
        };
        using var client = TestClients.Create(handler);

        var failure = await Assert.ThrowsAsync<SailPointException>(() => client.DownloadExportAsync("s1", "p1", "e1"));

        Assert.Equal("Export is not finished", Assert.Single(failure.Messages).Text);
        Assert.Equal("downloadRoleMiningPotentialRoleZip", failure.OperationId);
    }

    [Fact]
    public async Task A_body_that_stops_arriving_fails_the_read_after_the_idle_timeout()
    {
        // A connection dropped without a reset: the read would otherwise wait for ever.
        var clock = FakeClock.Create();
        var body = new StallingStream(firstBytes: 1000);
        using var client = TestClients.Create(ZipServer(body), options => options.Timeouts.DownloadIdle = TimeSpan.FromSeconds(60), timeProvider: clock);
        await using var download = await client.DownloadExportAsync("s1", "p1", "e1");
        var buffer = new byte[4096];
        Assert.Equal(1000, await download.Content.ReadAsync(buffer));

        var stalled = download.Content.ReadAsync(buffer).AsTask();
        await body.Waiting.Task.WaitAsync(TimeSpan.FromSeconds(30));
        clock.Advance(TimeSpan.FromSeconds(59));
        await Task.Delay(50);
        Assert.False(stalled.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(1));

        var failure = await Assert.ThrowsAsync<HttpIOException>(() => stalled.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.IsType<TimeoutException>(failure.InnerException);
        Assert.Contains("SailPoint:Timeouts:DownloadIdle", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_consumer_that_pauses_between_reads_is_not_timed_out_and_the_callers_cancellation_stays_a_cancellation()
    {
        var clock = FakeClock.Create();
        var body = new StallingStream(firstBytes: 1000, thenBytes: 1000);
        using var client = TestClients.Create(ZipServer(body), options => options.Timeouts.DownloadIdle = TimeSpan.FromSeconds(60), timeProvider: clock);
        await using var download = await client.DownloadExportAsync("s1", "p1", "e1");
        var buffer = new byte[1000];
        Assert.Equal(1000, await download.Content.ReadAsync(buffer));

        // Storage applying back-pressure: no read waits while the clock runs on.
        clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(1000, await download.Content.ReadAsync(buffer));

        using var cancellation = new CancellationTokenSource();
        var waiting = download.Content.ReadAsync(buffer, cancellation.Token).AsTask();
        await body.Waiting.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await cancellation.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task A_connection_reset_midway_is_reported_as_the_downloads_failure_not_as_any_IOException()
    {
        // The socket's reset is a plain IOException, as a full disk is: whoever reads the download must tell them apart.
        var body = new StallingStream(firstBytes: 1000) { Failure = new IOException("Unable to read data from the transport connection: Connection reset by peer.", new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.ConnectionReset)) };
        using var client = TestClients.Create(ZipServer(body));
        await using var download = await client.DownloadExportAsync("s1", "p1", "e1");
        var buffer = new byte[4096];
        Assert.Equal(1000, await download.Content.ReadAsync(buffer));

        var failure = await Assert.ThrowsAsync<HttpIOException>(async () => await download.Content.ReadExactlyAsync(buffer));

        Assert.Equal(HttpRequestError.ResponseEnded, failure.HttpRequestError);
        Assert.Contains("Connection reset by peer", failure.Message, StringComparison.Ordinal);
    }

    private static StubHandler ZipServer(Stream body) => new()
    {
        Api = (_, _) =>
        {
            var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(body) };
            response.Content.Headers.ContentType = new MediaTypeHeaderValue("application/zip");
            return Task.FromResult(response);
        },
    };

    /// <summary>Serves <c>firstBytes</c>, then (once) <c>thenBytes</c>, then waits until the read is cancelled.</summary>
    private sealed class StallingStream(int firstBytes, int thenBytes = 0) : Stream
    {
        private readonly Queue<int> _chunks = new([firstBytes, thenBytes]);

        /// <summary>Completed when a read starts to wait.</summary>
        public TaskCompletionSource Waiting { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Thrown by the read after the chunks, instead of waiting.</summary>
        public Exception? Failure { get; init; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_chunks.TryDequeue(out var chunk) && chunk > 0)
            {
                var count = Math.Min(chunk, buffer.Length);
                buffer.Span[..count].Clear();
                return count;
            }

            if (Failure is not null)
            {
                throw Failure;
            }

            Waiting.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return 0;
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>A stream of zeros that counts how much of it was read.</summary>
    private sealed class GeneratedStream(long length) : Stream
    {
        private long _position;

        public long Produced => Interlocked.Read(ref _position);

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, length - _position);
            Array.Clear(buffer, offset, n);
            Interlocked.Add(ref _position, n);
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
