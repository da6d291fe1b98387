using System.Diagnostics.CodeAnalysis;
using Azure;
using Azure.Core;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace RoleMining.Exports.AzureBlob.Tests;

/// <summary>
/// Publishing waits for the service's copy and then deletes the staging blob. The copy's wait ends without an error when
/// the copy failed, was aborted or was replaced by another, so the outcome is read from the target: these cases cannot be
/// made to happen in Azurite, so the service is stood in for at the SDK's virtual methods (its documented way to mock).
/// </summary>
public sealed class BlobPublishCopyOutcomeTests
{
    private const string Staging = "session/role/job/.staging/attempt/export.zip";
    private const string Target = "session/role/job/export.zip";

    [Theory]
    [InlineData(CopyStatus.Failed)]
    [InlineData(CopyStatus.Aborted)]
    public async Task A_copy_that_did_not_succeed_fails_the_publish_and_keeps_the_staging_blob(CopyStatus status)
    {
        var service = new FakeService(status, copyIdOnTarget: FakeService.CopyId);

        var failure = await Assert.ThrowsAsync<IOException>(() => new BlobExportArtifactStore(service.Container).PublishAsync(Staging, Target));

        Assert.Contains(status.ToString(), failure.Message, StringComparison.Ordinal);
        Assert.Contains("access denied to the source", failure.Message, StringComparison.Ordinal);
        Assert.Empty(service.Deleted);
    }

    [Fact]
    public async Task A_copy_replaced_by_another_fails_the_publish_and_keeps_the_staging_blob()
    {
        var service = new FakeService(CopyStatus.Success, copyIdOnTarget: "someone-elses-copy");

        // The SDK's wait itself refuses this one (its operation never sees its own copy complete); the store's own check
        // of the copy id stands behind it.
        await Assert.ThrowsAnyAsync<Exception>(() => new BlobExportArtifactStore(service.Container).PublishAsync(Staging, Target));

        Assert.Empty(service.Deleted);
    }

    [Fact]
    public async Task A_copy_of_ours_that_succeeded_publishes_and_deletes_the_staging_blob()
    {
        var service = new FakeService(CopyStatus.Success, copyIdOnTarget: FakeService.CopyId);

        await new BlobExportArtifactStore(service.Container).PublishAsync(Staging, Target);

        Assert.Equal([Staging], service.Deleted);
    }

    private sealed class FakeService(CopyStatus status, string copyIdOnTarget)
    {
        public const string CopyId = "copy-1";

        public List<string> Deleted { get; } = [];

        public BlobContainerClient Container => new FakeContainer(this);

        public BlobProperties TargetProperties() => BlobsModelFactory.BlobProperties(
            copyId: copyIdOnTarget,
            blobCopyStatus: status,
            copyStatusDescription: status == CopyStatus.Success ? null : "403 access denied to the source");

        private sealed class FakeContainer(FakeService service) : BlobContainerClient
        {
            public override BlobClient GetBlobClient(string blobName) => new FakeBlob(blobName, service);
        }

        private sealed class FakeBlob(string name, FakeService service) : BlobClient
        {
            public override string Name => name;

            public override Uri Uri => new("https://account.blob.core.windows.net/role-mining-exports/" + name);

            public override Task<CopyFromUriOperation> StartCopyFromUriAsync(Uri source, BlobCopyFromUriOptions options, CancellationToken cancellationToken = default) =>
                Task.FromResult(new CopyFromUriOperation(CopyId, this));

            public override Task<Response<BlobProperties>> GetPropertiesAsync(BlobRequestConditions? conditions = null, CancellationToken cancellationToken = default) =>
                Task.FromResult(Response.FromValue(service.TargetProperties(), new OkResponse()));

            public override Task<Response<bool>> DeleteIfExistsAsync(DeleteSnapshotsOption snapshotsOption = DeleteSnapshotsOption.None, BlobRequestConditions? conditions = null, CancellationToken cancellationToken = default)
            {
                service.Deleted.Add(name);
                return Task.FromResult(Response.FromValue(true, new OkResponse()));
            }
        }
    }

    /// <summary>An empty 200: Azure.Core has no public implementation of <see cref="Response"/> to stand in for one.</summary>
    private sealed class OkResponse : Response
    {
        public override int Status => 200;

        public override string ReasonPhrase => "OK";

        public override Stream? ContentStream { get; set; }

        public override string ClientRequestId { get; set; } = string.Empty;

        public override void Dispose()
        {
        }

        protected override bool ContainsHeader(string name) => false;

        protected override IEnumerable<HttpHeader> EnumerateHeaders() => [];

        protected override bool TryGetHeader(string name, [NotNullWhen(true)] out string? value)
        {
            value = null;
            return false;
        }

        protected override bool TryGetHeaderValues(string name, [NotNullWhen(true)] out IEnumerable<string>? values)
        {
            values = null;
            return false;
        }
    }
}
