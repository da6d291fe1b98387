using System.Net;

namespace RoleMining.Api.Callbacks;

/// <summary>
/// One completion callback the operator configured: where to POST when a job ends, and the OAuth client that authenticates
/// the call (client credentials). For a SailPoint Workflow: its external-trigger URL and the OAuth client that
/// <c>POST /workflows/{id}/external/oauth-clients</c> created, with the token URL <c>https://{tenant}.api.identitynow.com/oauth/token</c>;
/// the secret comes from Key Vault (an app setting <c>@Microsoft.KeyVault(SecretUri=...)</c>).
/// </summary>
public sealed class CallbackTargetOptions
{
    /// <summary>The receiver's URL. Empty: this callback is not configured.</summary>
    public string? Url { get; set; }

    /// <summary>The OAuth token endpoint. Empty together with the client: the call goes without a token.</summary>
    public string? TokenUrl { get; set; }

    /// <summary>The OAuth client id.</summary>
    public string? ClientId { get; set; }

    /// <summary>The OAuth client secret (a Key Vault reference in Azure).</summary>
    public string? ClientSecret { get; set; }

    /// <summary>The OAuth scope to ask for, if the token endpoint wants one.</summary>
    public string? Scope { get; set; }

    /// <summary>Whether this callback is configured.</summary>
    public bool IsConfigured => !string.IsNullOrWhiteSpace(Url);

    /// <summary>Whether calls carry an OAuth token.</summary>
    public bool UsesToken => !string.IsNullOrWhiteSpace(TokenUrl);

    /// <summary>
    /// Whether <see cref="Url"/> is still a Key Vault reference (in Azure the URL comes from Key Vault: a Logic App
    /// trigger's carries its signature). The platform leaves a reference it could not resolve as its text; where the
    /// platform resolves references (<see cref="PlatformKeyVaultReferences"/>) the app starts anyway (its start-up check
    /// names the setting) and the callback's attempts fail, and are retried, until it resolves; elsewhere
    /// <see cref="Validate"/> refuses it.
    /// </summary>
    public bool UrlIsUnresolvedKeyVaultReference => KeyVaultReferences.IsReference(Url);

    /// <summary>What is wrong with these settings, under <paramref name="section"/>.</summary>
    /// <param name="section">The configuration section of this callback, for the messages.</param>
    /// <param name="platformResolvesKeyVaultReferences">Whether the host's platform resolves Key Vault references (see
    /// <see cref="PlatformKeyVaultReferences"/>): only there is a <see cref="Url"/> still in that form one that may yet
    /// resolve; anywhere else nothing ever will, and it is refused like any other URL that is not one.</param>
    public IEnumerable<string> Validate(string section, bool platformResolvesKeyVaultReferences = false)
    {
        if (UrlIsUnresolvedKeyVaultReference)
        {
            if (!platformResolvesKeyVaultReferences)
            {
                yield return $"{section}:Url is a Key Vault reference, which only App Service resolves: set the URL itself (an absolute https URL; plain http only on this machine).";
            }
        }
        else if (!IsUsableUrl(Url))
        {
            yield return $"{section}:Url must be an absolute https URL (plain http only on this machine).";
        }

        var tokenParts = new[] { TokenUrl, ClientId, ClientSecret }.Count(value => !string.IsNullOrWhiteSpace(value));
        if (tokenParts is not 0 and not 3)
        {
            yield return $"{section}: TokenUrl, ClientId and ClientSecret go together (all three, or none for a receiver without OAuth).";
        }
        else if (tokenParts == 3 && !IsUsableUrl(TokenUrl))
        {
            yield return $"{section}:TokenUrl must be an absolute https URL (plain http only on this machine).";
        }
    }

    private static bool IsUsableUrl(string? value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttps
            || (uri.Scheme == Uri.UriSchemeHttp && (uri.IsLoopback || (IPAddress.TryParse(uri.Host, out var address) && IPAddress.IsLoopback(address)))));
}
