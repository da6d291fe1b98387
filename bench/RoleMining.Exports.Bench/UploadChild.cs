using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using RoleMining.Exports.AzureBlob;
using RoleMining.Functions.Configuration;

namespace RoleMining.Exports.Bench;

/// <summary>
/// The reference for the blob rows: files uploaded to Azurite by the Azure SDK's own parallel uploader
/// (<c>UploadAsync</c> with the store's block size and uploads in flight), in a process of its own. Like for like with the
/// store: every block with its MD5 (which the store sends, and without which Azurite computes a CRC-64 in JavaScript at
/// half the speed) and all files at once (the store writes the zip and its CSV files side by side).
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
        var options = new BlobUploadOptions
        {
            TransferOptions = transfer,
            TransferValidation = new UploadTransferValidationOptions { ChecksumAlgorithm = StorageChecksumAlgorithm.MD5 },
        };
        await Task.WhenAll(args.Skip(2).Select(file => container.GetBlobClient(args[1] + Path.GetFileName(file)).UploadAsync(file, options)));

        return 0;
    }
}
