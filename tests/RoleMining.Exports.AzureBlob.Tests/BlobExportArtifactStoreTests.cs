using System.Security.Cryptography;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace RoleMining.Exports.AzureBlob.Tests;

[Collection(AzuriteTestGroup.Name)]
public sealed class BlobExportArtifactStoreTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private readonly BlobContainerClient _container = azurite.Server.Blobs().GetBlobContainerClient(AzuriteFixture.NewContainerName());
    private readonly string _folder = $"session-x/role-x/{ExportJobIds.NewJobId()}";

    private BlobExportArtifactStore? _store;

    private BlobExportArtifactStore Store => _store ??= new(_container);

    public async Task InitializeAsync() => await _container.CreateIfNotExistsAsync();

    public async Task DisposeAsync() => await _container.DeleteIfExistsAsync();

    [Fact]
    public async Task A_staged_file_larger_than_one_block_is_written_in_pieces_and_appears_only_when_the_stream_is_closed()
    {
        var staging = $"{_folder}/.staging/attempt-1/export.zip";
        var content = RandomNumberGenerator.GetBytes((BlobExportArtifactStore.BlockSize * 2) + 12345);

        var stream = await Store.OpenStagingWriteAsync(staging);
        for (var offset = 0; offset < content.Length; offset += 64 * 1024)
        {
            await stream.WriteAsync(content.AsMemory(offset, Math.Min(64 * 1024, content.Length - offset)));
        }

        // Blocks are staged but not committed: readers see no blob yet.
        Assert.Null(await Store.OpenReadAsync(staging));
        await stream.DisposeAsync();

        await using var read = await Store.OpenReadAsync(staging);
        Assert.NotNull(read);
        Assert.Equal(content.Length, read.Length);
        Assert.Equal(SHA256.HashData(content), await SHA256.HashDataAsync(read));
    }

    [Fact]
    public async Task Many_blocks_uploaded_while_writing_go_on_arrive_whole_and_in_order()
    {
        var staging = $"{_folder}/.staging/attempt-1/identities.csv";
        var content = RandomNumberGenerator.GetBytes((BlobExportArtifactStore.BlockSize * 5) + 777);

        var stream = await Store.OpenStagingWriteAsync(staging);
        await using (stream)
        {
            // Uneven writes, so that blocks fill across them.
            var offset = 0;
            for (var size = 1; offset < content.Length; size = (size * 7 % 300_001) + 1)
            {
                var take = Math.Min(size, content.Length - offset);
                await stream.WriteAsync(content.AsMemory(offset, take));
                offset += take;
            }
        }

        await using var read = await Store.OpenReadAsync(staging);
        Assert.Equal(SHA256.HashData(content), await SHA256.HashDataAsync(read!));
    }

    [Fact]
    public async Task A_block_of_an_earlier_write_that_the_service_stores_late_is_not_committed_by_a_later_write()
    {
        // The first write of a staging file is given up (the single pass starting over) while its block upload is on its
        // way; the service stores that block only after the second write staged its own, just before its commit.
        var staging = $"{_folder}/.staging/attempt-1/identities.csv";
        var first = RandomNumberGenerator.GetBytes(BlobExportArtifactStore.BlockSize + 10);
        var second = RandomNumberGenerator.GetBytes(BlobExportArtifactStore.BlockSize + 20);
        var held = new HoldBlockUploads();
        var stream = await StoreWith(held).OpenStagingWriteAsync(staging);
        await stream.WriteAsync(first);
        await held.Started.Task;
        ((IAbandonableWrite)stream).Abandon();
        await stream.DisposeAsync();

        var late = new BeforeBlockList(async () =>
        {
            foreach (var id in held.BlockIds)
            {
                using var block = new MemoryStream(first, 0, BlobExportArtifactStore.BlockSize);
                await _container.GetBlockBlobClient(staging).StageBlockAsync(id, block);
            }
        });
        await using (var again = await StoreWith(late).OpenStagingWriteAsync(staging))
        {
            await again.WriteAsync(second);
        }

        Assert.NotEmpty(held.BlockIds);
        await using var read = await Store.OpenReadAsync(staging);
        Assert.Equal(SHA256.HashData(second), await SHA256.HashDataAsync(read!));
    }

    [Fact]
    public async Task Writing_over_a_blob_replaces_it_only_when_the_stream_is_closed()
    {
        var staging = $"{_folder}/.staging/attempt-1/export.zip";
        await WriteAsync(staging, "old content");
        var replacement = RandomNumberGenerator.GetBytes(BlobExportArtifactStore.BlockSize + 10);

        var stream = await Store.OpenStagingWriteAsync(staging);
        await stream.WriteAsync(replacement);
        Assert.Equal("old content", await ReadAsync(staging));
        await stream.DisposeAsync();

        await using var read = await Store.OpenReadAsync(staging);
        Assert.Equal(SHA256.HashData(replacement), await SHA256.HashDataAsync(read!));
    }

    [Fact]
    public async Task An_abandoned_write_commits_nothing_and_never_stages_its_last_partial_block()
    {
        var staging = $"{_folder}/.staging/attempt-1/export.zip";
        var stream = await Store.OpenStagingWriteAsync(staging);
        await stream.WriteAsync(RandomNumberGenerator.GetBytes((BlobExportArtifactStore.BlockSize * 2) + 12345));

        ((IAbandonableWrite)stream).Abandon();
        await stream.DisposeAsync();

        Assert.Null(await Store.OpenReadAsync(staging));
        Assert.Empty(await Store.ListAsync(_folder + "/").ToListAsync());
        var blocks = await UncommittedBlocksAsync(staging);
        Assert.All(blocks, block => Assert.Equal(BlobExportArtifactStore.BlockSize, block.SizeLong));
    }

    [Fact]
    public async Task An_abandoned_write_over_a_blob_leaves_the_earlier_content()
    {
        var staging = $"{_folder}/.staging/attempt-1/export.zip";
        await WriteAsync(staging, "old content");

        var stream = await Store.OpenStagingWriteAsync(staging);
        await stream.WriteAsync(RandomNumberGenerator.GetBytes(BlobExportArtifactStore.BlockSize + 10));
        ((IAbandonableWrite)stream).Abandon();
        await stream.DisposeAsync();

        Assert.Equal("old content", await ReadAsync(staging));
    }

    [Fact]
    public async Task Abandoning_cancels_the_block_uploads_in_flight_instead_of_waiting_for_them()
    {
        // Block uploads that never finish unless cancelled: closing the stream returns only if Abandon cancelled them.
        var held = new HoldBlockUploads { StartedWhen = 2 };
        var store = StoreWith(held);
        var staging = $"{_folder}/.staging/attempt-1/export.zip";
        var stream = await store.OpenStagingWriteAsync(staging);
        await stream.WriteAsync(RandomNumberGenerator.GetBytes(BlobExportArtifactStore.BlockSize * 2));
        await held.Started.Task.WaitAsync(TimeSpan.FromSeconds(30));

        ((IAbandonableWrite)stream).Abandon();
        await stream.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(2, held.Cancelled);
        Assert.Null(await Store.OpenReadAsync(staging));
        Assert.Empty(await UncommittedBlocksAsync(staging));
    }

    [Fact]
    public async Task A_failed_block_upload_stops_the_others_and_closing_throws_without_committing()
    {
        // The first upload never finishes unless cancelled; the second fails.
        var held = new HoldBlockUploads { FailFrom = 2 };
        var store = StoreWith(held);
        var staging = $"{_folder}/.staging/attempt-1/export.zip";
        var stream = await store.OpenStagingWriteAsync(staging);
        await stream.WriteAsync(RandomNumberGenerator.GetBytes(BlobExportArtifactStore.BlockSize * 2));

        var failure = await Assert.ThrowsAsync<IOException>(() => stream.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30)));

        // The failure reported is the one that happened, not the cancellation it caused in the held upload.
        Assert.Contains("Staging a block", failure.Message, StringComparison.Ordinal);
        Assert.Equal("The connection was reset.", Assert.IsType<IOException>(failure.InnerException).Message);
        Assert.Equal(1, held.Cancelled);
        Assert.Null(await Store.OpenReadAsync(staging));
    }

    [Fact]
    public async Task A_block_that_changes_on_its_way_to_the_service_is_rejected_and_nothing_is_committed()
    {
        var corrupt = new CorruptBlockUploads { Corrupt = 2 };
        var store = StoreWith(corrupt);
        var staging = $"{_folder}/.staging/attempt-1/export.zip";
        await WriteAsync(staging, "old content");
        var stream = await store.OpenStagingWriteAsync(staging);
        await stream.WriteAsync(RandomNumberGenerator.GetBytes((BlobExportArtifactStore.BlockSize * 2) + 10));

        var failure = await Assert.ThrowsAsync<IOException>(() => stream.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30)));

        // The service compared the block with the MD5 it was sent with.
        Assert.Equal("Md5Mismatch", Assert.IsType<Azure.RequestFailedException>(failure.InnerException).ErrorCode);
        Assert.True(corrupt.Corrupted);
        Assert.Equal("old content", await ReadAsync(staging));
    }

    [Fact]
    public async Task A_write_cancelled_by_its_caller_throws_the_cancellation_and_commits_nothing()
    {
        var held = new HoldBlockUploads { StartedWhen = 2 };
        var store = StoreWith(held);
        var staging = $"{_folder}/.staging/attempt-1/export.zip";
        using var cancellation = new CancellationTokenSource();
        var stream = await store.OpenStagingWriteAsync(staging);
        await stream.WriteAsync(RandomNumberGenerator.GetBytes(BlobExportArtifactStore.BlockSize * 2), cancellation.Token);
        await held.Started.Task.WaitAsync(TimeSpan.FromSeconds(30));

        await cancellation.CancelAsync();

        // A cancellation, as the caller's own token would throw, not a storage failure (which would count as a failed attempt).
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => stream.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(2, held.Cancelled);
        Assert.Null(await Store.OpenReadAsync(staging));
    }

    [Fact]
    public async Task Publishing_moves_the_content_to_its_final_path_and_removes_the_staging_file()
    {
        var staging = $"{_folder}/.staging/attempt-1/identities.csv";
        var final = $"{_folder}/identities.csv";
        await WriteAsync(staging, "id,name\n1,Ada\n");

        await Store.PublishAsync(staging, final);

        Assert.Null(await Store.OpenReadAsync(staging));
        Assert.Equal("id,name\n1,Ada\n", await ReadAsync(final));
    }

    [Fact]
    public async Task Publishing_replaces_an_earlier_file()
    {
        var final = $"{_folder}/manifest.json";
        await WriteAsync($"{_folder}/.staging/a/manifest.json", "{\"v\":1}");
        await Store.PublishAsync($"{_folder}/.staging/a/manifest.json", final);
        await WriteAsync($"{_folder}/.staging/b/manifest.json", "{\"v\":2}");

        await Store.PublishAsync($"{_folder}/.staging/b/manifest.json", final);

        Assert.Equal("{\"v\":2}", await ReadAsync(final));
    }

    [Fact]
    public async Task Reads_can_seek_like_a_zip_reader_does()
    {
        var path = $"{_folder}/data.bin";
        var content = Enumerable.Range(0, 300_000).Select(index => (byte)(index % 251)).ToArray();
        await WriteAsync(path, content);

        await using var read = (await Store.OpenReadAsync(path))!;
        read.Seek(-10, SeekOrigin.End);
        var tail = new byte[10];
        await read.ReadExactlyAsync(tail);

        Assert.True(read.CanSeek);
        Assert.Equal(content[^10..], tail);
    }

    [Fact]
    public async Task Listing_by_prefix_includes_staging_files_and_sizes()
    {
        await WriteAsync($"{_folder}/a.csv", "12345");
        await WriteAsync($"{_folder}/.staging/s/b.csv", "1");

        var items = await Store.ListAsync(_folder + "/").ToListAsync();

        Assert.Equal([$"{_folder}/.staging/s/b.csv", $"{_folder}/a.csv"], items.Select(item => item.Path).Order(StringComparer.Ordinal));
        Assert.Equal(5, items.Single(item => item.Path.EndsWith("a.csv", StringComparison.Ordinal)).Size);
    }

    [Fact]
    public async Task Deleting_says_whether_there_was_a_file()
    {
        var path = $"{_folder}/gone.csv";
        await WriteAsync(path, "x");

        Assert.True(await Store.DeleteAsync(path));
        Assert.False(await Store.DeleteAsync(path));
        Assert.Null(await Store.OpenReadAsync(path));
    }

    /// <summary>A store over the test's container whose requests go through <paramref name="policy"/> first.</summary>
    private BlobExportArtifactStore StoreWith(HttpPipelinePolicy policy)
    {
        var options = new BlobClientOptions();
        options.AddPolicy(policy, HttpPipelinePosition.PerCall);
        return new BlobExportArtifactStore(new BlobContainerClient(azurite.Server.ConnectionString, _container.Name, options));
    }

    /// <summary>The blocks staged but not committed under <paramref name="path"/> (none when nothing was staged).</summary>
    private async Task<IReadOnlyList<BlobBlock>> UncommittedBlocksAsync(string path)
    {
        try
        {
            var list = await _container.GetBlockBlobClient(path).GetBlockListAsync(BlockListTypes.Uncommitted);
            return [.. list.Value.UncommittedBlocks];
        }
        catch (Azure.RequestFailedException exception) when (exception.Status == 404)
        {
            return [];
        }
    }

    private Task WriteAsync(string path, string text) => WriteAsync(path, System.Text.Encoding.UTF8.GetBytes(text));

    private async Task WriteAsync(string path, byte[] content)
    {
        await using var stream = await Store.OpenStagingWriteAsync(path);
        await stream.WriteAsync(content);
    }

    private async Task<string> ReadAsync(string path)
    {
        await using var stream = (await Store.OpenReadAsync(path))!;
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync();
    }

    /// <summary>Flips one byte of the body of block upload (Put Block) number <see cref="Corrupt"/>, after the client has hashed it.</summary>
    private sealed class CorruptBlockUploads : HttpPipelinePolicy
    {
        private int _uploads;
        private int _corrupted;

        /// <summary>The upload (counting from 1) whose body is changed.</summary>
        public int Corrupt { get; init; }

        public bool Corrupted => Volatile.Read(ref _corrupted) == 1;

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
            throw new NotSupportedException("The store uploads asynchronously.");

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            if (message.Request.Uri.Query.Contains("comp=block&", StringComparison.Ordinal)
                && Interlocked.Increment(ref _uploads) == Corrupt
                && message.Request.Content is { } content)
            {
                using var body = new MemoryStream();
                await content.WriteToAsync(body, message.CancellationToken);
                var bytes = body.ToArray();
                bytes[bytes.Length / 2] ^= 0xFF;
                message.Request.Content = RequestContent.Create(bytes);
                Volatile.Write(ref _corrupted, 1);
            }

            await ProcessNextAsync(message, pipeline);
        }
    }

    /// <summary>Holds every block upload (Put Block) until its request is cancelled; fails those from <see cref="FailFrom"/> on.</summary>
    private sealed class HoldBlockUploads : HttpPipelinePolicy
    {
        private int _cancelled;
        private int _uploads;

        /// <summary>The first upload (counting from 1) that fails at once instead of being held.</summary>
        public int FailFrom { get; init; } = int.MaxValue;

        /// <summary>How many uploads must have reached the policy for <see cref="Started"/> to complete.</summary>
        public int StartedWhen { get; init; } = 1;

        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Cancelled => Volatile.Read(ref _cancelled);

        /// <summary>The block ids of the uploads held.</summary>
        public System.Collections.Concurrent.ConcurrentQueue<string> BlockIds { get; } = new();

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
            throw new NotSupportedException("The store uploads asynchronously.");

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            if (message.Request.Uri.Query.Contains("comp=block&", StringComparison.Ordinal))
            {
                var upload = Interlocked.Increment(ref _uploads);
                BlockIds.Enqueue(Uri.UnescapeDataString(message.Request.Uri.Query.Split('&').Single(pair => pair.StartsWith("blockid=", StringComparison.Ordinal))["blockid=".Length..]));
                if (upload >= FailFrom)
                {
                    throw new IOException("The connection was reset.");
                }

                if (upload >= StartedWhen)
                {
                    Started.TrySetResult();
                }
                try
                {
                    await Task.Delay(Timeout.Infinite, message.CancellationToken);
                }
                catch (OperationCanceledException)
                {
                    Interlocked.Increment(ref _cancelled);
                    throw;
                }
            }

            await ProcessNextAsync(message, pipeline);
        }
    }

    /// <summary>Runs <c>action</c> before each commit of a block list (Put Block List) goes out.</summary>
    private sealed class BeforeBlockList(Func<Task> action) : HttpPipelinePolicy
    {
        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
            throw new NotSupportedException("The store uploads asynchronously.");

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            if (message.Request.Uri.Query.Contains("comp=blocklist", StringComparison.Ordinal))
            {
                await action();
            }

            await ProcessNextAsync(message, pipeline);
        }
    }
}
