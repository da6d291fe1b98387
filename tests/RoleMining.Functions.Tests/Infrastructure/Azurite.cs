
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
