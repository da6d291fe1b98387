using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RoleMining.Exports;
using RoleMining.Functions.Configuration;

namespace RoleMining.Functions.Hosting;

/// <summary>
/// Creates the containers and queues that infra/ provisions in Azure, for local runs against Azurite or an account given
/// by connection string. Registered only for connection-string connections; in Azure the app's identity has no right to
/// create them and does not need to.
/// </summary>
public sealed partial class LocalStorageInitializer : IHostedService
{
    private readonly BlobServiceClient _blobs;
    private readonly QueueServiceClient _queues;
    private readonly ILogger<LocalStorageInitializer> _logger;

    /// <summary>Creates the initializer.</summary>
    public LocalStorageInitializer(BlobServiceClient blobs, QueueServiceClient queues, ILogger<LocalStorageInitializer> logger)
    {
        _blobs = blobs;
        _queues = queues;
        _logger = logger;
    }

    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var container in new[] { FunctionsSettings.ArtifactContainer, FunctionsSettings.JobContainer, FunctionsSettings.RateBudgetContainer })
        {
            await _blobs.GetBlobContainerClient(container).CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        }

        foreach (var step in Enum.GetValues<ExportStep>())
        {
            await _queues.GetQueueClient(ExportQueueNames.For(step)).CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            await _queues.GetQueueClient(ExportQueueNames.PoisonFor(step)).CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        }

        LogCreated(_logger, _blobs.AccountName);
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Storage containers and queues are ready in account {AccountName}")]
    private static partial void LogCreated(ILogger logger, string accountName);
}
