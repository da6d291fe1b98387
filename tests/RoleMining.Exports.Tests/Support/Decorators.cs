using System.Collections.Concurrent;
using RoleMining.SailPoint;
using RoleMining.SailPoint.Models;

namespace RoleMining.Exports.Tests.Support;

/// <summary>Sends every message more than once: at once, and optionally once more after a delay (at-least-once delivery at its worst).</summary>
internal sealed class DuplicatingExportQueue(IExportQueue inner, int copies = 2, TimeSpan? lateCopyDelay = null) : IExportQueue
{
    public int Sent;

    public async Task SendAsync(ExportMessage message, TimeSpan delay, CancellationToken cancellationToken = default)
    {
        for (var copy = 0; copy < copies; copy++)
        {
            Interlocked.Increment(ref Sent);
            await inner.SendAsync(message, delay, cancellationToken);
        }

        if (lateCopyDelay is { } late)
        {
            Interlocked.Increment(ref Sent);
            await inner.SendAsync(message, delay + late, cancellationToken);
        }
    }
}

/// <summary>
/// The real client with hooks around the export calls, to crash a run at a chosen point or to make a call fail. A hook
/// runs before the call (<c>Before*</c>) or after it returned (<c>After*</c>).
/// </summary>
internal sealed class HookedRoleMiningClient(IRoleMiningClient inner) : IRoleMiningClient
{
    public Func<CancellationToken, Task>? BeforeStart { get; set; }

    public Func<PotentialRoleExport, CancellationToken, Task>? AfterStart { get; set; }

    public Func<CancellationToken, Task>? BeforeStatus { get; set; }

    public Func<CancellationToken, Task>? BeforeDownload { get; set; }

    /// <summary>Wraps the download body (e.g. to break it midway).</summary>
    public Func<Stream, Stream>? WrapDownload { get; set; }

    /// <summary>Serves other bytes than the emulator's zip (read whole), announcing their length.</summary>
    public Func<byte[], byte[]>? RewriteZip { get; set; }

    public ConcurrentQueue<string> Calls { get; } = new();

    public Task<RoleMiningSession> GetSessionAsync(string sessionId, CancellationToken cancellationToken = default) => inner.GetSessionAsync(sessionId, cancellationToken);

    public Task<RoleMiningSessionStatus> GetSessionStatusAsync(string sessionId, CancellationToken cancellationToken = default) => inner.GetSessionStatusAsync(sessionId, cancellationToken);

    public AsyncPageable<RoleMiningSession> GetSessionsAsync(CollectionQuery? query = null, CancellationToken cancellationToken = default) => inner.GetSessionsAsync(query, cancellationToken);

    public AsyncPageable<PotentialRoleSummary> GetPotentialRoleSummariesAsync(string sessionId, CollectionQuery? query = null, CancellationToken cancellationToken = default) => inner.GetPotentialRoleSummariesAsync(sessionId, query, cancellationToken);

    public Task<PotentialRoleSummary> GetPotentialRoleSummaryAsync(string sessionId, string potentialRoleId, CancellationToken cancellationToken = default) => inner.GetPotentialRoleSummaryAsync(sessionId, potentialRoleId, cancellationToken);

    public Task<PotentialRole> GetPotentialRoleAsync(string sessionId, string potentialRoleId, CancellationToken cancellationToken = default) => inner.GetPotentialRoleAsync(sessionId, potentialRoleId, cancellationToken);

    public AsyncPageable<RoleMiningIdentity> GetPotentialRoleIdentitiesAsync(string sessionId, string potentialRoleId, CollectionQuery? query = null, CancellationToken cancellationToken = default) => inner.GetPotentialRoleIdentitiesAsync(sessionId, potentialRoleId, query, cancellationToken);

    public AsyncPageable<RoleMiningEntitlement> GetEntitlementPopularitiesAsync(string sessionId, string potentialRoleId, CollectionQuery? query = null, CancellationToken cancellationToken = default) => inner.GetEntitlementPopularitiesAsync(sessionId, potentialRoleId, query, cancellationToken);

    public async Task<PotentialRoleExport> StartExportAsync(string sessionId, string potentialRoleId, PotentialRoleExportRequest request, CancellationToken cancellationToken = default)
    {
        Calls.Enqueue("start");
        if (BeforeStart is { } before)
        {
            await before(cancellationToken);
        }

        var export = await inner.StartExportAsync(sessionId, potentialRoleId, request, cancellationToken);
        if (AfterStart is { } after)
        {
            await after(export, cancellationToken);
        }

        return export;
    }

    public async Task<PotentialRoleExport> GetExportStatusAsync(string sessionId, string potentialRoleId, string exportId, CancellationToken cancellationToken = default)
    {
        Calls.Enqueue("status");
        if (BeforeStatus is { } before)
        {
            await before(cancellationToken);
        }

        return await inner.GetExportStatusAsync(sessionId, potentialRoleId, exportId, cancellationToken);
    }

    public async Task<ExportDownload> DownloadExportAsync(string sessionId, string potentialRoleId, string exportId, CancellationToken cancellationToken = default)
    {
        Calls.Enqueue("download");
        if (BeforeDownload is { } before)
        {
            await before(cancellationToken);
        }

        var download = await inner.DownloadExportAsync(sessionId, potentialRoleId, exportId, cancellationToken);
        if (RewriteZip is { } rewrite)
        {
            using var original = new MemoryStream();
            await download.Content.CopyToAsync(original, cancellationToken);
            var body = rewrite(original.ToArray());
            await download.DisposeAsync();
            return new ExportDownload(new MemoryStream(body), body.Length, download.FileName, download.ContentType);
        }

        return WrapDownload is { } wrap
            ? new ExportDownload(wrap(download.Content), download.Length, download.FileName, download.ContentType, download)
            : download;
    }
}

/// <summary>A stream that runs an action once a number of bytes were read (then keeps delegating, or throws what the action throws).</summary>
internal sealed class TrippingStream(Stream inner, long tripAfterBytes, Action trip) : Stream
{
    private long _read;
    private bool _tripped;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => _read; set => throw new NotSupportedException(); }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("Async only.");

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (!_tripped)
        {
            if (_read >= tripAfterBytes)
            {
                _tripped = true;
                trip();
            }
            else
            {
                buffer = buffer[..(int)Math.Min(buffer.Length, tripAfterBytes - _read)];
            }
        }

        var read = await inner.ReadAsync(buffer, cancellationToken);
        _read += read;
        return read;
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>The filesystem artifact store with a hook after each publish (to crash between publishing and recording success).</summary>
internal sealed class HookedArtifactStore(IExportArtifactStore inner) : IExportArtifactStore
{
    public Func<string, CancellationToken, Task>? AfterPublish { get; set; }

    /// <summary>Called before each staging write is opened, with its path (to stall a run just before it writes).</summary>
    public Func<string, CancellationToken, Task>? BeforeStagingWrite { get; set; }

    /// <summary>Every staging write opened, in order, each recording how it ended.</summary>
    public ConcurrentQueue<WriteProbe> Writes { get; } = new();

    /// <summary>The failure the writes to a staging path throw, if any (null: the writes go through).</summary>
    public Func<string, Exception?>? FailWrites { get; set; }

    /// <summary>Called when a staging write was closed as complete (asynchronously).</summary>
    public Action<WriteProbe>? AfterWriteCompleted { get; set; }

    public async Task<Stream> OpenStagingWriteAsync(string stagingPath, CancellationToken cancellationToken = default)
    {
        if (BeforeStagingWrite is { } before)
        {
            await before(stagingPath, cancellationToken);
        }

        var probe = new WriteProbe(stagingPath, await inner.OpenStagingWriteAsync(stagingPath, cancellationToken), FailWrites?.Invoke(stagingPath), AfterWriteCompleted);
        Writes.Enqueue(probe);
        return probe;
    }

    public async Task PublishAsync(string stagingPath, string path, CancellationToken cancellationToken = default)
    {
        await inner.PublishAsync(stagingPath, path, cancellationToken);
        if (AfterPublish is { } after)
        {
            await after(path, cancellationToken);
        }
    }

    private const string ReadEvent = "read:";

    /// <summary>Reads and deletes in the order they happened: "read:{path}", "delete:{path}".</summary>
    public ConcurrentQueue<string> Events { get; } = new();

    /// <summary>Every path opened for reading, in order.</summary>
    public IEnumerable<string> Reads => Events.Where(item => item.StartsWith(ReadEvent, StringComparison.Ordinal)).Select(item => item[ReadEvent.Length..]);

    /// <summary>Called before each read reaches the store (to make one fail).</summary>
    public Func<string, CancellationToken, Task>? BeforeRead { get; set; }

    public async Task<Stream?> OpenReadAsync(string path, CancellationToken cancellationToken = default)
    {
        Events.Enqueue(ReadEvent + path);
        if (BeforeRead is { } before)
        {
            await before(path, cancellationToken);
        }

        return await inner.OpenReadAsync(path, cancellationToken);
    }

    public IAsyncEnumerable<ArtifactItem> ListAsync(string prefix, CancellationToken cancellationToken = default) => inner.ListAsync(prefix, cancellationToken);

    /// <summary>Called before each delete reaches the store (to make one hang).</summary>
    public Func<string, CancellationToken, Task>? BeforeDelete { get; set; }

    public async Task<bool> DeleteAsync(string path, CancellationToken cancellationToken = default)
    {
        Events.Enqueue("delete:" + path);
        if (BeforeDelete is { } before)
        {
            await before(path, cancellationToken);
        }

        return await inner.DeleteAsync(path, cancellationToken);
    }
}
