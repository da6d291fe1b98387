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

    /// <summary>The blob endpoints of the public, US Government and China clouds (private endpoints keep these names).</summary>
    private static readonly string[] AzureBlobHostSuffixes = [".blob.core.windows.net", ".blob.core.usgovcloudapi.net", ".blob.core.chinacloudapi.cn"];

    private const string NameRule = "3 to 63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit";

    private BlobArtifactContainer(BlobContainerClient client)
    {
        Client = client;
    }

    /// <summary>The container.</summary>
    public BlobContainerClient Client { get; }

    /// <summary>The container's URL without its query, for messages: a client made from a SAS connection string carries the SAS in <c>Client.Uri</c>.</summary>
    public string Location => Client.Uri.GetLeftPart(UriPartial.Path);

    /// <summary>
    /// The folder, below the job folder, of the job documents whose artifacts are in this container
    /// (<c>account.blob.core.windows.net_container</c>). A job document says where its files are only by the store it was
    /// written with, so jobs of files and of each container are kept apart: a run to a container never counts an export
    /// to files (or to another container) as done, and never resumes one into the wrong store.
    /// </summary>
    public string JobFolderName => string.Concat((Client.Uri.Authority + Client.Uri.AbsolutePath.TrimEnd('/')).ToLowerInvariant()
        .Select(character => char.IsAsciiLetterOrDigit(character) || character is '.' or '-' ? character : '_'));

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
            // A connection string kept in user secrets for the runs that name a container does not stop runs to files.
            return null;
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
            return new BlobArtifactContainer(new BlobContainerClient(url, new DefaultAzureCredential(), ClientOptions()));
        }

        if (!hasConnectionString)
        {
            throw CliException.Configuration(
                $"Configuration error: {source} '{name}' is a container name, so {BlobStoreSettings.ConnectionStringKey} ({BlobStoreSettings.ConnectionStringVariable}) must name "
                + $"its storage account; or give the container's URL ({UrlForm}) to sign in with an Entra identity.");
        }

        BlobServiceClient service;
        try
        {
            service = new BlobServiceClient(settings.ConnectionString, ClientOptions());
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
                $"Azure Blob Storage refused the container {Location}: {exception.Status} {exception.ErrorCode}{RefusalHint(exception.ErrorCode)}",
                exception);
        }
    }

    /// <summary>
    /// Fewer, shorter retries than the SDK's default (5 retries from 0.8 s, 100 s per try): an account that cannot be
    /// reached is reported in about 5 seconds instead of half a minute, as the SailPoint client does; a block upload that
    /// stalls for 30 s is tried again.
    /// </summary>
    private static BlobClientOptions ClientOptions() => new()
    {
        Retry = { MaxRetries = 3, Delay = TimeSpan.FromSeconds(0.5), MaxDelay = TimeSpan.FromSeconds(5), NetworkTimeout = TimeSpan.FromSeconds(30) },
    };

    private static (Uri? Url, string Name) Parse(string value, string source, Func<string, CliException> error)
    {
        if (value.Contains(';', StringComparison.Ordinal) || value.Contains('=', StringComparison.Ordinal))
        {
            // Not echoed: a connection string (or a URL with a SAS) in the wrong place holds a key.
            throw error($"{source} looks like a connection string or a URL with a query, which hold secrets: give the container's URL without a query "
                + $"({UrlForm}) or its name, with the connection string in {BlobStoreSettings.ConnectionStringKey} ({BlobStoreSettings.ConnectionStringVariable}).");
        }

        if (Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp))
        {
            if (uri.Scheme != Uri.UriSchemeHttps)
            {
                throw error($"{source} must be an https:// URL ({UrlForm}): an Entra token is only sent over TLS.");
            }

            if (uri.UserInfo.Length > 0)
            {
                throw error($"{source} must be the container's URL without a user name or password ({UrlForm}).");
            }

            if (!IsAzureBlobHost(uri.Host))
            {
                // The URL form sends a storage token of the signed-in identity, valid for every account it may use: only to Azure.
                throw error($"{source} must be a container of Azure Blob Storage ({UrlForm}; {string.Join(", ", AzureBlobHostSuffixes.Select(suffix => "*" + suffix))}), "
                    + "not another host: the URL receives a storage token of your Entra identity.");
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

    private static bool IsAzureBlobHost(string host) =>
        AzureBlobHostSuffixes.Any(suffix => host.EndsWith(suffix, StringComparison.OrdinalIgnoreCase) && host.Length > suffix.Length);

    /// <summary>Azure's rule for container names, checked here so that a typo is not a 400 from the service mid-run.</summary>
    private static bool IsContainerName(string name) =>
        name.Length is >= 3 and <= 63
        && name.All(character => char.IsAsciiLetterLower(character) || char.IsAsciiDigit(character) || character == '-')
        && name[0] != '-' && name[^1] != '-'
        && !name.Contains("--", StringComparison.Ordinal);

    private static string RefusalHint(string? errorCode) => errorCode switch
    {
        "AuthorizationPermissionMismatch" => " (the identity needs the Storage Blob Data Contributor role on the container or its account).",
        "AuthenticationFailed" or "AuthorizationFailure" => " (the account key or the credential is not accepted, or the account's network rules block this machine).",
        "KeyBasedAuthenticationNotPermitted" => $" (the account accepts no account keys: give the container's URL, {UrlForm}, to sign in with an Entra identity).",
        _ => ".",
    };

    private static string FirstLine(string text) => text.Split('\n', 2)[0].Trim();
}
