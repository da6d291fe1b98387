namespace RoleMining.Api.Authentication;

/// <summary>
/// Who may call the API (<c>RoleMining:Api:Authentication</c>): Entra ID bearer tokens (Logic Apps and Power Automate
/// with a managed identity or an OAuth connection, scripts with <c>az account get-access-token</c>), and API keys for
/// callers that can only send a fixed header (a SailPoint Workflow's HTTP Request action). Either may be configured, or
/// both. The API checks them itself, in every host: see docs/deploy.md ("Authentication") for why the Functions host's
/// own keys and App Service authentication alone cannot do this.
/// </summary>
public sealed class ApiAuthenticationOptions
{
    /// <summary>The header that carries an API key (the Functions key header, so existing callers keep working).</summary>
    public const string ApiKeyHeader = "x-functions-key";

    /// <summary>Entra ID bearer tokens.</summary>
    public EntraAuthenticationOptions Entra { get; set; } = new();

    /// <summary>
    /// Keys by caller name (e.g. <c>SailPointWorkflow</c>): the SHA-256 of each key, 64 hexadecimal characters. Only the
    /// hash is configured, so the setting is not a secret; the key itself is given to the caller only. An empty value
    /// leaves the caller out (so that a template can list a caller that is not set up yet).
    /// </summary>
    public Dictionary<string, string?> ApiKeys { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Whether an API key is accepted as <c>Authorization: Bearer &lt;key&gt;</c> too, besides the
    /// <see cref="ApiKeyHeader"/> header. <c>rolemining serve</c> turns it on for its access token (registered as a key);
    /// off by default, where a bearer token is an Entra ID token.
    /// </summary>
    public bool AcceptApiKeysAsBearerTokens { get; set; }

    /// <summary>The configured key hashes by caller, empty values left out.</summary>
    public IEnumerable<KeyValuePair<string, string>> ConfiguredApiKeys =>
        ApiKeys.Where(pair => !string.IsNullOrWhiteSpace(pair.Value)).Select(pair => KeyValuePair.Create(pair.Key, pair.Value!.Trim()));

    /// <summary>Whether any way in is configured.</summary>
    public bool IsConfigured => Entra.IsConfigured || ConfiguredApiKeys.Any();
}

/// <summary>
/// Entra ID (Azure AD) access tokens for this API's app registration. Lists are comma-separated single settings, so that
/// Bicep and app settings set each with one value.
/// </summary>
public sealed class EntraAuthenticationOptions
{
    /// <summary>
    /// The token issuer's authority: <c>https://login.microsoftonline.com/{tenant id}/v2.0</c>. Its OpenID configuration
    /// (<c>/.well-known/openid-configuration</c>) gives the signing keys and the issuer. Empty: Entra tokens are not accepted.
    /// </summary>
    public string? Authority { get; set; }

    /// <summary>
    /// Issuers accepted besides the one the OpenID configuration names: Entra issues v1 tokens
    /// (<c>https://sts.windows.net/{tenant id}/</c>) to managed identities unless the app registration asks for v2.
    /// </summary>
    public string? AdditionalIssuers { get; set; }

    /// <summary>The token audiences of this API: its application id URI (<c>api://...</c>) and its client id.</summary>
    public string? Audiences { get; set; }

    /// <summary>
    /// The client (application) ids allowed to call: the Logic App's managed identity, the Power Automate connector's app
    /// registration, ... (the token's <c>azp</c> or <c>appid</c>). Any app of the tenant could otherwise get a token for
    /// this audience.
    /// </summary>
    public string? AllowedClientApplications { get; set; }

    /// <summary>Tolerated clock difference.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Whether Entra tokens are accepted.</summary>
    public bool IsConfigured => !string.IsNullOrWhiteSpace(Authority);

    /// <summary><see cref="Authority"/> as a URI; null when empty or not absolute.</summary>
    public Uri? AuthorityUri => Uri.TryCreate(Authority, UriKind.Absolute, out var uri) ? uri : null;

    /// <summary>The values of a comma-separated setting.</summary>
    public static IReadOnlyList<string> Values(string? setting) =>
        (setting ?? string.Empty).Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
