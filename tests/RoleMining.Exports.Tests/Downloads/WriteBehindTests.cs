using RoleMining.Exports.Tests.Support;

namespace RoleMining.Exports.Tests.Downloads;

/// <summary>How the write-behind queue ends its destination's write: completed after CompleteAsync, given up otherwise.</summary>
public sealed class WriteBehindTests
{
    [Fact]
    public async Task A_completed_write_is_closed_as_complete_with_every_queued_byte()
    {
        var content = new MemoryStream();
        var probe = new WriteProbe("file", new KeepOpenStream(content));
        var writer = new WriteBehind(probe, capacity: 2);
        await using (writer)
        {
            await EnqueueAsync(writer, "first ");
            await EnqueueAsync(writer, "second");
            await writer.CompleteAsync(CancellationToken.None);
        }

        Assert.True(probe.Completed);
        Assert.Equal("first second", System.Text.Encoding.ASCII.GetString(content.ToArray()));
    }

    [Fact]
    public async Task A_write_disposed_before_it_completes_is_given_up_before_its_destination_is_closed()
    {
        var probe = new WriteProbe("file", new MemoryStream());
        var writer = new WriteBehind(probe, capacity: 2);
        await using (writer)
        {
            await EnqueueAsync(writer, "half of it");
        }

        Assert.True(probe.Abandoned);
        Assert.True(probe.Closed);
    }

    [Fact]
    public async Task A_write_whose_destination_failed_is_given_up_and_the_failure_is_thrown_by_CompleteAsync()
    {
        var probe = new WriteProbe("file", new FailingStream());
        var writer = new WriteBehind(probe, capacity: 2);
        await using (writer)
        {
            await EnqueueAsync(writer, "doomed");
            await Assert.ThrowsAsync<IOException>(() => writer.CompleteAsync(CancellationToken.None));
        }

        Assert.True(probe.Abandoned);
    }

    [Fact]
    public async Task A_completion_cancelled_while_the_destination_stalls_still_lets_the_close_return_at_once()
    {
        var probe = new WriteProbe("file", new StallingStream());
        var writer = new WriteBehind(probe, capacity: 2);
        await using (writer)
        {
            // One chunk stalls in the destination, two wait in the queue.
            await EnqueueAsync(writer, "one");
            await EnqueueAsync(writer, "two");
            await EnqueueAsync(writer, "three");
            using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => writer.CompleteAsync(timeout.Token));

            // Disposing must stop the stalled write rather than wait for it and the queue behind it.
            await writer.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        }

        Assert.True(probe.Abandoned);
        Assert.True(probe.Closed);
    }

    [Fact]
    public async Task A_destination_whose_give_up_throws_is_still_closed_and_the_dispose_does_not_throw()
    {
        var destination = new ThrowingAbandonStream();
        var writer = new WriteBehind(destination, capacity: 2);
        await using (writer)
        {
            await EnqueueAsync(writer, "half of it");
        }

        Assert.True(destination.AbandonCalled);
        Assert.True(destination.Closed);
    }

    private static async Task EnqueueAsync(WriteBehind writer, string text)
    {
        var chunk = SharedChunk.Rent();
        try
        {
            chunk.Length = System.Text.Encoding.ASCII.GetBytes(text, chunk.Array);
            await writer.EnqueueAsync(chunk, 0, chunk.Length, CancellationToken.None);
        }
        finally
        {
            chunk.Release();
        }
    }

    /// <summary>A destination whose writes never finish unless cancelled.</summary>
    private sealed class StallingStream : MemoryStream
    {
        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
            await Task.Delay(Timeout.Infinite, cancellationToken);
    }

    private sealed class ThrowingAbandonStream : MemoryStream, IAbandonableWrite
    {
        public bool AbandonCalled { get; private set; }

        public bool Closed { get; private set; }

        public void Abandon()
        {
            AbandonCalled = true;
            throw new InvalidOperationException("A cancellation callback failed.");
        }

        protected override void Dispose(bool disposing)
        {
            Closed = true;
            base.Dispose(disposing);
        }
    }

    private sealed class FailingStream : MemoryStream
    {
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromException(new IOException("The disk is full."));
    }
}
