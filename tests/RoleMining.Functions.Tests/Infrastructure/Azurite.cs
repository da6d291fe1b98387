using RoleMining.Testing.Azurite;

namespace RoleMining.Functions.Tests.Infrastructure;

/// <summary>
/// Tests that share one Azurite (started for this test run, or the one ROLEMINING_AZURITE_CONNECTION_STRING names). They
/// share its fixed containers and queues, so they run one at a time and tell their data apart by random job ids.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AzuriteTestGroup : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Azurite";
}

/// <summary>Starts Azurite once for <see cref="AzuriteTestGroup"/> and stops it at the end.</summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    private AzuriteServer? _server;

    public AzuriteServer Server => _server ?? throw new InvalidOperationException("Azurite has not started.");

    public async Task InitializeAsync() => _server = await AzuriteServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
