using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using RoleMining.Exports;
using RoleMining.Exports.AzureBlob;
using RoleMining.Functions.Configuration;
using RoleMining.Functions.Messaging;
using RoleMining.Functions.RateLimiting;
using RoleMining.Functions.Storage;
using RoleMining.SailPoint;

namespace RoleMining.Functions.Hosting;

/// <summary>Wires the Functions app: SailPoint client with a budget shared by every instance, export workflow over Azure
/// Storage, HTTP API, sweep settings.</summary>
public static class FunctionsServiceCollectionExtensions
{
    /// <summary>Registers everything the functions need.</summary>
    public static IServiceCollection AddRoleMiningFunctions(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddSailPointRoleMining();
        services.AddRoleMiningExports();
        services.AddRoleMiningApi();
        services.RequireRoleMiningApiAuthentication();
        // App Service resolves the Key Vault references in the app settings (the callback's URL is one).
        services.AcceptPlatformKeyVaultReferences();

        services.AddExportSweepOptions(configuration.GetSection(ExportSweepOptions.SectionName));

        AddStorage(services, StorageConnection.FromConfiguration(configuration));
        return services;
    }

    /// <summary>
    /// The app's own Blob and Queue clients, from the same settings as the host's AzureWebJobsStorage connection, and the
    /// workflow's ports over them.
    /// </summary>
    internal static void AddStorage(IServiceCollection services, StorageConnection storage)
    {
        services.AddAzureClients(clients =>
        {
            if (storage.IsIdentityBased)
            {
                clients.AddBlobServiceClient(storage.BlobServiceUri!);
                clients.AddQueueServiceClient(storage.QueueServiceUri!)
                    .ConfigureOptions(options => options.MessageEncoding = QueueMessageEncoding.Base64);
                clients.UseCredential(storage.CreateCredential());
            }
            else
            {
                clients.AddBlobServiceClient(storage.ConnectionString!);
                clients.AddQueueServiceClient(storage.ConnectionString!)
                    .ConfigureOptions(options => options.MessageEncoding = QueueMessageEncoding.Base64);
            }
        });

        services.TryAddSingleton<IExportJobStore, BlobExportJobStore>();
        services.TryAddSingleton<IExportArtifactStore>(provider =>
            new BlobExportArtifactStore(provider.GetRequiredService<BlobServiceClient>().GetBlobContainerClient(FunctionsSettings.ArtifactContainer)));
        services.TryAddSingleton<IExportQueue, AzureQueueExportSender>();

        // Every instance draws on one SailPoint budget through this store (scale-out must not multiply the tenant's rate).
        services.TryAddSingleton<ISailPointRateBudgetStore, BlobRateBudgetStore>();

        // A secret whose Key Vault reference did not resolve is named at start, not discovered through 401s.
        services.AddHostedService<UnresolvedKeyVaultReferenceCheck>();

        // With a connection string (Azurite, a developer's account) nothing was provisioned: create what Bicep creates.
        if (!storage.IsIdentityBased)
        {
            services.AddHostedService<LocalStorageInitializer>();
        }
    }
}
