
namespace RoleMining.Cli.Tests.Infrastructure;

/// <summary>
/// Tests that export to Azure Blob Storage share one Azurite (started for this test run, or the one
/// ROLEMINING_AZURITE_CONNECTION_STRING names); each test writes to a container of its own.
/// </summary>
[CollectionDefinition(Name)]
public sealed class AzuriteTestGroup : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Azurite";
}
