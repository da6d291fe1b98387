namespace RoleMining.Exports.AzureBlob.Tests;

/// <summary>The tests share one Azurite; each test writes to a container of its own.</summary>
[CollectionDefinition(Name)]
public sealed class AzuriteTestGroup : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Azurite";
}
