using Azure.Core;
using Azure.Identity;
using Microsoft.Extensions.Configuration;

namespace RoleMining.Functions.Configuration;

/// <summary>
/// How the app's own Blob and Queue clients reach storage, read from the same settings the Functions host uses for
/// <c>AzureWebJobsStorage</c>, so that the two can never point at different accounts: either a connection string
/// (locally, Azurite's <c>UseDevelopmentStorage=true</c>) or the identity-based form (<c>__blobServiceUri</c>,
/// <c>__queueServiceUri</c>, <c>__credential</c>, <c>__clientId</c>; or <c>__accountName</c>, from which the host derives
/// both endpoints). Kept free of Azure Storage types so that it builds and is tested where those packages are missing.
/// </summary>
public sealed record StorageConnection
{
    /// <summary>The value of <c>__credential</c> that selects a managed identity.</summary>
    public const string ManagedIdentityCredential = "managedidentity";

    /// <summary>A connection string; null for an identity-based connection.</summary>
    public string? ConnectionString { get; private init; }

    /// <summary>The Blob service endpoint of an identity-based connection.</summary>
    public Uri? BlobServiceUri { get; private init; }

    /// <summary>The Queue service endpoint of an identity-based connection.</summary>
    public Uri? QueueServiceUri { get; private init; }

    /// <summary>Whether <c>__credential</c> is <c>managedidentity</c> (otherwise the developer's own sign-in is used).</summary>
    public bool UsesManagedIdentity { get; private init; }

    /// <summary>Client id of a user-assigned managed identity; null for the system-assigned one.</summary>
    public string? ManagedIdentityClientId { get; private init; }

    /// <summary>Whether this is an identity-based connection.</summary>
    public bool IsIdentityBased => ConnectionString is null;

    /// <summary>Reads the connection named <paramref name="name"/> (default <see cref="FunctionsSettings.StorageConnection"/>).</summary>
    /// <exception cref="InvalidOperationException">The settings are missing or inconsistent; the message names them (never a value).</exception>
    public static StorageConnection FromConfiguration(IConfiguration configuration, string name = FunctionsSettings.StorageConnection)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var section = configuration.GetSection(name);
        if (!string.IsNullOrWhiteSpace(section.Value))
        {
            return new StorageConnection { ConnectionString = section.Value.Trim() };
        }

        var credential = section["credential"];
        var usesManagedIdentity = string.Equals(credential, ManagedIdentityCredential, StringComparison.OrdinalIgnoreCase);
        if (!string.IsNullOrWhiteSpace(credential) && !usesManagedIdentity)
        {
            throw new InvalidOperationException($"{name}__credential must be '{ManagedIdentityCredential}' or absent.");
        }

        var blob = ReadEndpoint(section, name, "blobServiceUri", "blob");
        var queue = ReadEndpoint(section, name, "queueServiceUri", "queue");
        var clientId = section["clientId"];
        return new StorageConnection
        {
            BlobServiceUri = blob,
            QueueServiceUri = queue,
            UsesManagedIdentity = usesManagedIdentity,
            ManagedIdentityClientId = string.IsNullOrWhiteSpace(clientId) ? null : clientId.Trim(),
        };
    }

    /// <summary>
    /// The credential of an identity-based connection: the managed identity (user-assigned when a client id is set) in
    /// Azure, the developer's sign-in (Azure CLI, Visual Studio, ...) when <c>__credential</c> is absent.
    /// </summary>
    /// <exception cref="InvalidOperationException">This is a connection-string connection.</exception>
    public TokenCredential CreateCredential()
    {
        if (!IsIdentityBased)
        {
            throw new InvalidOperationException("A connection-string connection has no token credential.");
        }

        if (UsesManagedIdentity)
        {
            return new ManagedIdentityCredential(ManagedIdentityClientId is null
                ? ManagedIdentityId.SystemAssigned
                : ManagedIdentityId.FromUserAssignedClientId(ManagedIdentityClientId));
        }

        return new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = ManagedIdentityClientId });
    }

    /// <summary>Never shows the connection string: it may hold an account key.</summary>
    public override string ToString() => IsIdentityBased
        ? $"StorageConnection {{ Blob = {BlobServiceUri}, Queue = {QueueServiceUri}, ManagedIdentity = {UsesManagedIdentity} }}"
        : "StorageConnection { ConnectionString = *** }";

    private static Uri ReadEndpoint(IConfigurationSection section, string name, string key, string service)
    {
        var value = section[key];
        if (!string.IsNullOrWhiteSpace(value))
        {
            return Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps
                ? uri
                : throw new InvalidOperationException($"{name}__{key} must be an absolute https URI.");
        }

        // The host accepts __accountName alone and derives the public-cloud endpoints from it; do the same.
        var accountName = section["accountName"];
        if (!string.IsNullOrWhiteSpace(accountName))
        {
            return new Uri($"https://{accountName.Trim()}.{service}.core.windows.net/");
        }

        throw new InvalidOperationException(
            $"Storage connection '{name}' is not configured: set {name} to a connection string (locally: UseDevelopmentStorage=true), or set {name}__{key} (identity-based).");
    }
}
