using System.Security.Claims;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace RoleMining.Api.Authentication;

/// <summary>
/// Validates Entra ID access tokens with Microsoft.IdentityModel, the library ASP.NET Core's JwtBearer handler uses:
/// signature against the authority's published keys (fetched and refreshed by its <see cref="ConfigurationManager{T}"/>),
/// issuer, audience, lifetime; then the calling application against the allow-list.
/// </summary>
public sealed class EntraTokenValidator
{
    /// <summary>The <c>HttpClient</c> name of the metadata and key downloads.</summary>
    public const string HttpClientName = "RoleMining.Api.EntraMetadata";

    private readonly EntraAuthenticationOptions _options;
    private readonly ConfigurationManager<OpenIdConnectConfiguration>? _configuration;
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };
    private readonly IReadOnlyList<string> _audiences = [];
    private readonly IReadOnlyList<string> _allowedApplications = [];
    private readonly IReadOnlyList<string> _additionalIssuers = [];

    /// <summary>Creates the validator.</summary>
    public EntraTokenValidator(IOptions<RoleMiningApiOptions> options, IHttpClientFactory httpClients)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(httpClients);
        _options = options.Value.Authentication.Entra;
        if (_options.AuthorityUri is { } authority)
        {
            _audiences = EntraAuthenticationOptions.Values(_options.Audiences);
            _allowedApplications = EntraAuthenticationOptions.Values(_options.AllowedClientApplications);
            _additionalIssuers = EntraAuthenticationOptions.Values(_options.AdditionalIssuers);
            var metadata = authority.AbsoluteUri.TrimEnd('/') + "/.well-known/openid-configuration";
            var retriever = new HttpDocumentRetriever(httpClients.CreateClient(HttpClientName))
            {
                // The validator lets plain http through for a loopback authority only (a local token issuer in tests).
                RequireHttps = authority.Scheme == Uri.UriSchemeHttps,
            };
            _configuration = new ConfigurationManager<OpenIdConnectConfiguration>(metadata, new OpenIdConnectConfigurationRetriever(), retriever);
        }
    }

    /// <summary>Whether Entra tokens are accepted at all.</summary>
    public bool IsEnabled => _configuration is not null;

    /// <summary>Validates <paramref name="token"/>; the caller on success, the reason otherwise.</summary>
    public async Task<TokenCheck> ValidateAsync(string token, CancellationToken cancellationToken)
    {
        if (_configuration is null)
        {
            return TokenCheck.Invalid("Bearer tokens are not accepted by this deployment; send an API key.");
        }

        var result = await ValidateOnceAsync(token, cancellationToken).ConfigureAwait(false);
        if (result.Exception is SecurityTokenSignatureKeyNotFoundException)
        {
            // Keys roll over: read the published keys again (the manager rate-limits refreshes), then try once more.
            _configuration.RequestRefresh();
            result = await ValidateOnceAsync(token, cancellationToken).ConfigureAwait(false);
        }

        if (result.Exception is MetadataUnavailableException unavailable)
        {
            // What can be judged without the issuer's keys is still the caller's fault (401): a token that is no JSON Web
            // Token (a wrong key sent as a bearer token), or one that has expired. Anything else may be valid: a 503, which
            // Logic Apps and Power Automate retry, and a 401 they would not.
            // CanReadToken only counts the parts; reading them is what tells a JSON Web Token from "aaa.bbb.ccc".
            if (!_handler.CanReadToken(token) || TryReadExpiry(token) is not { } expires)
            {
                return TokenCheck.Invalid(Describe(new SecurityTokenMalformedException()));
            }

            if (expires != DateTime.MinValue && expires + _options.ClockSkew < DateTime.UtcNow)
            {
                return TokenCheck.Invalid(Describe(new SecurityTokenExpiredException()));
            }

            return TokenCheck.Unavailable("Bearer tokens cannot be checked right now: the token issuer's keys could not be read. Retry later.", unavailable.InnerException);
        }

        if (!result.IsValid)
        {
            return TokenCheck.Invalid(Describe(result.Exception));
        }

        var identity = result.ClaimsIdentity;
        var application = identity.FindFirst("azp")?.Value ?? identity.FindFirst("appid")?.Value;
        if (application is null || !_allowedApplications.Contains(application, StringComparer.OrdinalIgnoreCase))
        {
            return TokenCheck.Forbidden($"The calling application '{application ?? "(none)"}' is not allowed to call this API; the operator adds its client id to RoleMining:Api:Authentication:Entra:AllowedClientApplications.");
        }

        return TokenCheck.Valid(new ClaimsPrincipal(identity), application);
    }

    /// <summary>The token's expiry (<see cref="DateTime.MinValue"/> when it has none), or null when it cannot be read.</summary>
    private DateTime? TryReadExpiry(string token)
    {
        try
        {
            return _handler.ReadJsonWebToken(token).ValidTo;
        }
        catch (Exception exception) when (exception is SecurityTokenMalformedException or ArgumentException)
        {
            // A part that is no base64url-encoded JSON.
            return null;
        }
    }

    private async Task<TokenValidationResult> ValidateOnceAsync(string token, CancellationToken cancellationToken)
    {
        OpenIdConnectConfiguration configuration;
        try
        {
            configuration = await _configuration!.GetConfigurationAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidOperationException exception)
        {
            // The authority's metadata could not be read: nobody can be authenticated by token right now.
            return new TokenValidationResult { IsValid = false, Exception = new MetadataUnavailableException(exception) };
        }

        var parameters = new TokenValidationParameters
        {
            ValidIssuers = [configuration.Issuer, .. _additionalIssuers],
            ValidAudiences = _audiences,
            IssuerSigningKeys = configuration.SigningKeys,
            ValidateIssuerSigningKey = true,
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ClockSkew = _options.ClockSkew,
        };
        return await _handler.ValidateTokenAsync(token, parameters).ConfigureAwait(false);
    }

    /// <summary>What was wrong, in words that help the caller and carry nothing of the token.</summary>
    private static string Describe(Exception? exception) => exception switch
    {
        SecurityTokenExpiredException => "The bearer token has expired; get a new one.",
        SecurityTokenNotYetValidException => "The bearer token is not valid yet.",
        SecurityTokenInvalidAudienceException => "The bearer token was issued for another audience; request a token for this API's application id URI.",
        SecurityTokenInvalidIssuerException => "The bearer token was issued by another tenant or authority.",
        SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => "The bearer token's signature is not valid.",
        SecurityTokenMalformedException or ArgumentException => "The bearer token is not a JSON Web Token.",
        _ => "The bearer token is not valid.",
    };

    /// <summary>The authority's metadata or keys could not be read (its inner exception says why).</summary>
    private sealed class MetadataUnavailableException(Exception inner) : Exception(inner.Message, inner);
}

/// <summary>The outcome of checking a credential.</summary>
/// <param name="Outcome">Valid, invalid (401) or valid but not allowed (403).</param>
/// <param name="Principal">The caller, when valid.</param>
/// <param name="Caller">A name for logs: the client id or the key's caller name.</param>
/// <param name="Reason">Why it failed, for the problem document.</param>
/// <param name="Cause">Why the credential could not be checked, for the log (with <see cref="CredentialOutcome.Unavailable"/>).</param>
public sealed record TokenCheck(CredentialOutcome Outcome, ClaimsPrincipal? Principal, string? Caller, string? Reason, Exception? Cause = null)
{
    /// <summary>A valid credential.</summary>
    public static TokenCheck Valid(ClaimsPrincipal principal, string caller) => new(CredentialOutcome.Valid, principal, caller, null);

    /// <summary>A credential that does not authenticate.</summary>
    public static TokenCheck Invalid(string reason) => new(CredentialOutcome.Invalid, null, null, reason);

    /// <summary>A valid credential of a caller that may not call.</summary>
    public static TokenCheck Forbidden(string reason) => new(CredentialOutcome.Forbidden, null, null, reason);

    /// <summary>A credential that cannot be checked now, through no fault of the caller.</summary>
    public static TokenCheck Unavailable(string reason, Exception? cause) => new(CredentialOutcome.Unavailable, null, null, reason, cause);
}

/// <summary>How a credential was judged.</summary>
public enum CredentialOutcome
{
    /// <summary>Authenticated and allowed.</summary>
    Valid = 0,

    /// <summary>Not authenticated: 401.</summary>
    Invalid,

    /// <summary>Authenticated but not allowed: 403.</summary>
    Forbidden,

    /// <summary>Not checkable now (the token issuer's keys could not be read): 503.</summary>
    Unavailable,
}
