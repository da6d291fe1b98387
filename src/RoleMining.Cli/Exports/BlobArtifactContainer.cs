using Azure;
using Azure.Identity;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;
using RoleMining.Cli.Hosting;

namespace RoleMining.Cli.Exports;

/// <summary>
/// The Azure Blob container that <c>export</c> and <c>sweep</c> write artifacts to, when one is configured
/// (<see cref="BlobStoreSettings"/>, or <c>--blob-container</c>): a container URL reached with the signed-in Entra
/// identity, or a container name in the account of a connection string.
/// </summary>
internal sealed class BlobArtifactContainer
{
    private const string UrlForm = "https://ACCOUNT.blob.core.windows.net/CONTAINER";

    private const string NameRule = "3 to 63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit";

    private BlobArtifactContainer(BlobContainerClient client)
    {
        Client = client;
    }

    /// <summary>The container.</summary>
    public BlobContainerClient Client { get; }

    /// <summary>The container's URL, for messages (a client made from a connection string carries no credential in it).</summary>
    public string Location => Client.Uri.GetLeftPart(UriPartial.Path);

    /// <summary>
    /// Checks the <c>--blob-container</c> value on its own, before the configuration is read, so that a malformed value
    /// is a usage error (exit code 2) that names the option.
    /// </summary>
    public static void RequireValidArgument(string? value)
    {
        if (value is not null)
        {
            _ = Parse(value, "--blob-container", CliException.Usage);
        }
    }

    /// <summary>
    /// The container the configuration names, with <paramref name="option"/> (<c>--blob-container</c>) winning over
    /// <see cref="BlobStoreSettings.Container"/>; null when artifacts go to files.
    /// </summary>
    public static BlobArtifactContainer? FromConfiguration(IConfiguration configuration, string? option)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var settings = configuration.GetSection(BlobStoreSettings.SectionName).Get<BlobStoreSettings>() ?? new BlobStoreSettings();
        var source = option is null ? BlobStoreSettings.ContainerKey : "--blob-container";
        var value = option ?? settings.Container;
        var hasConnectionString = !string.IsNullOrWhiteSpace(settings.ConnectionString);
        if (string.IsNullOrWhiteSpace(value))
        {
            return hasConnectionString
                ? throw CliException.Configuration(
                    $"Configuration error: {BlobStoreSettings.ConnectionStringKey} is set but no container is named: give --blob-container NAME or set {BlobStoreSettings.ContainerKey}.")
                : null;
        }

        var (url, name) = Parse(value, source, message => CliException.Configuration("Configuration error: " + message));
        if (url is not null)
        {
            if (hasConnectionString)
            {
                throw CliException.Configuration(
                    $"Configuration error: {source} is a container URL, which is reached with an Entra identity, while {BlobStoreSettings.ConnectionStringKey} is set: "
                    + "give the container's name to use the connection string, or remove the connection string.");
            }

            // Azure CLI, Azure Developer CLI, environment (AZURE_CLIENT_ID ...), workload or managed identity: whichever
            // the machine has, as every Azure tool finds it.
            return new BlobArtifactContainer(new BlobContainerClient(url, new DefaultAzureCredential()));
        }

        if (!hasConnectionString)
        {
            throw CliException.Configuration(
                $"Configuration error: {source} '{name}' is a container name, so {BlobStoreSettings.ConnectionStringKey} (RoleMining__Exports__Blob__ConnectionString) must name "
                + $"its storage account; or give the container's URL ({UrlForm}) to sign in with an Entra identity.");
        }

        BlobServiceClient service;
        try
        {
            service = new BlobServiceClient(settings.ConnectionString);
        }
        catch (Exception exception) when (exception is FormatException or ArgumentException or InvalidOperationException)
        {
            // Neither the value nor the parser's message (which may quote it) is shown: it holds the account key.
            throw CliException.Configuration(
                $"Configuration error: {BlobStoreSettings.ConnectionStringKey} is not a storage account connection string "
                + "(DefaultEndpointsProtocol=https;AccountName=...;AccountKey=...;EndpointSuffix=core.windows.net, or UseDevelopmentStorage=true).");
        }

        return new BlobArtifactContainer(service.GetBlobContainerClient(name));
    }

    /// <summary>
    /// Creates the container when it does not exist, so that a first run needs nothing prepared; a refusal or an absent
    /// identity ends the command with one line, before any SailPoint export is started.
    /// </summary>
    public async Task EnsureExistsAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Client.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (AuthenticationFailedException exception)
        {
            throw new CliException(
                ExitCodes.Failed,
                $"No Entra identity could sign in to {Location}: sign in with 'az login' (or set AZURE_CLIENT_ID, AZURE_TENANT_ID and a credential), "
                + $"or use a connection string ({BlobStoreSettings.ConnectionStringKey}). {FirstLine(exception.Message)}",
                exception);
        }
        catch (Exception exception) when (exception is RequestFailedException { Status: 0 } or AggregateException)
        {
            // Transport failures: the SDK gives up after its retries with an AggregateException of each try's failure.
            var cause = exception is AggregateException aggregate ? aggregate.InnerExceptions[^1] : exception.InnerException ?? exception;
            throw new CliException(ExitCodes.Failed, $"Azure Blob Storage at {Location} could not be reached: {FirstLine(cause.Message)}", exception);
        }
        catch (RequestFailedException exception)
        {
            // The service's message is a multi-line XML document; the status and error code say what happened.
            throw new CliException(
                ExitCodes.Failed,
                $"Azure Blob Storage refused the container {Location}: {exception.Status} {exception.ErrorCode}"
                + (exception.Status == 403 ? " (the identity needs the Storage Blob Data Contributor role on the container or its account)." : "."),
                exception);
        }
    }

    private static (Uri? Url, string Name) Parse(string value, string source, Func<string, CliException> error)
    {
        if (Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp))
        {
            if (uri.Scheme != Uri.UriSchemeHttps)
            {
                throw error($"{source} must be an https:// URL ({UrlForm}): an Entra token is only sent over TLS.");
            }

            if (uri.Query.Length > 0 || uri.Fragment.Length > 0)
            {
                // A SAS in a URL on the command line ends up in shell history and process listings.
                throw error($"{source} must be the container's URL without a query ({UrlForm}); a SAS is a secret, and does not belong on the command line.");
            }

            var parts = new BlobUriBuilder(uri);
            if (string.IsNullOrEmpty(parts.BlobContainerName) || !string.IsNullOrEmpty(parts.BlobName))
            {
                throw error($"{source} '{value}' must name a container, and nothing below it: {UrlForm}.");
            }

            return IsContainerName(parts.BlobContainerName)
                ? (uri, parts.BlobContainerName)
                : throw error($"{source} names the container '{parts.BlobContainerName}', which is not a valid container name ({NameRule}).");
        }

        return IsContainerName(value)
            ? (null, value)
            : throw error($"{source} '{value}' is neither a container URL ({UrlForm}) nor a container name ({NameRule}).");
    }

    /// <summary>Azure's rule for container names, checked here so that a typo is not a 400 from the service mid-run.</summary>
    private static bool IsContainerName(string name) =>
        name.Length is >= 3 and <= 63
        && name.All(character => char.IsAsciiLetterLower(character) || char.IsAsciiDigit(character) || character == '-')
        && name[0] != '-' && name[^1] != '-'
        && !name.Contains("--", StringComparison.Ordinal);

    private static string FirstLine(string text) => text.Split('\n', 2)[0].Trim();
}
