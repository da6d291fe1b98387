using Azure.Storage.Blobs;
using Azure.Storage.Queues;

namespace RoleMining.Functions.Tests.Infrastructure;

/// <summary>
/// The Azurite instance the CI workflow starts (ROLEMINING_AZURITE_CONNECTION_STRING, default UseDevelopmentStorage=true).
/// Tests that use it share its fixed containers and queues, so they run one at a time (<see cref="AzuriteTestGroup"/>)
/// and tell their data apart by random job ids.
/// </summary>
public static class Azurite
{
    /// <summary>The connection string.</summary>
    public static string ConnectionString =>
        Environment.GetEnvironmentVariable("ROLEMINING_AZURITE_CONNECTION_STRING") is { Length: > 0 } configured
            ? configured
            : "UseDevelopmentStorage=true";

    /// <summary>A Blob service client.</summary>
    public static BlobServiceClient Blobs() => new(ConnectionString);

    /// <summary>A Queue service client that encodes like the app and the Functions host (Base64).</summary>
    public static QueueServiceClient Queues() =>
        new(ConnectionString, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });

    /// <summary>A Queue service client that sends and receives message text as it is on the wire.</summary>
    public static QueueServiceClient RawQueues() => new(ConnectionString);
}

/// <summary>Tests that share Azurite's containers and queues.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AzuriteTestGroup : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Azurite";
}

/// <summary>Checks once that Azurite answers, and creates the containers and queues infra/ creates in Azure.</summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    public async Task InitializeAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await Azurite.Blobs().GetPropertiesAsync(timeout.Token);
        }
        catch (Exception exception) when (exception is Azure.RequestFailedException or OperationCanceledException or AggregateException)
        {
            throw new InvalidOperationException(
                "Azurite does not answer at " + Azurite.ConnectionString + ". Start it first: npx azurite --skipApiVersionCheck", exception);
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;
}
