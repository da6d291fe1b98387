using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using RoleMining.Exports.AzureBlob;
using RoleMining.Functions.Configuration;

namespace RoleMining.Exports.Bench;

/// <summary>
/// The reference for the blob rows: files uploaded to Azurite by the Azure SDK's own parallel uploader
/// (<c>UploadAsync</c> with the store's block size and uploads in flight), one after the other, in a process of its own.
/// </summary>
internal static class UploadChild
{
    public const string Switch = "--upload-child";

    /// <summary>args: --upload-child blobPrefix file...</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var connection = Environment.GetEnvironmentVariable(ExportChild.AzuriteVariable) ?? throw new InvalidOperationException($"{ExportChild.AzuriteVariable} is not set.");
        var container = new BlobServiceClient(connection).GetBlobContainerClient(FunctionsSettings.ArtifactContainer);
        var transfer = new StorageTransferOptions
        {
            InitialTransferSize = BlobExportArtifactStore.BlockSize,
            MaximumTransferSize = BlobExportArtifactStore.BlockSize,
            MaximumConcurrency = BlobExportArtifactStore.MaxConcurrentUploads,
        };
        foreach (var file in args.Skip(2))
        {
            await container.GetBlobClient(args[1] + Path.GetFileName(file)).UploadAsync(file, new BlobUploadOptions { TransferOptions = transfer });
        }

        return 0;
    }
}
