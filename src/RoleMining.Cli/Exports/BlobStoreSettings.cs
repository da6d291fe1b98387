namespace RoleMining.Cli.Exports;

/// <summary>
/// Where <c>rolemining export</c> and <c>sweep</c> put artifacts when they go to Azure Blob Storage instead of files
/// (section <c>RoleMining:Exports:Blob</c>). Job documents stay in the <c>--out</c> folder either way.
/// </summary>
internal sealed class BlobStoreSettings
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "RoleMining:Exports:Blob";

    /// <summary>The configuration key of <see cref="Container"/>.</summary>
    public const string ContainerKey = SectionName + ":" + nameof(Container);

    /// <summary>The configuration key of <see cref="ConnectionString"/>.</summary>
    public const string ConnectionStringKey = SectionName + ":" + nameof(ConnectionString);

    /// <summary>The environment variable of <see cref="ConnectionString"/>.</summary>
    public const string ConnectionStringVariable = "RoleMining__Exports__Blob__ConnectionString";

    /// <summary>
    /// The container (what <c>--blob-container</c> sets): its URL, <c>https://ACCOUNT.blob.core.windows.net/CONTAINER</c>,
    /// reached with the signed-in Entra identity (DefaultAzureCredential: Azure CLI, environment, managed identity, ...);
    /// or, with <see cref="ConnectionString"/>, its name. Unset: artifacts are written to the <c>--out</c> folder.
    /// </summary>
    public string? Container { get; set; }

    /// <summary>
    /// A storage account connection string (account key, or <c>UseDevelopmentStorage=true</c> for Azurite). A secret:
    /// set it with <c>RoleMining__Exports__Blob__ConnectionString</c>, user secrets or the <c>--config</c> file.
    /// </summary>
    public string? ConnectionString { get; set; }
}
