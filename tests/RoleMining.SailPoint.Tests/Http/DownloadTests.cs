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
