using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using RoleMining.Api.Diagnostics;
using RoleMining.Api.Problems;

namespace RoleMining.Api.Authentication;

/// <summary>
/// The gate in front of every route (<see cref="Routing.ApiRouteDispatcher"/>): a request passes with a valid Entra ID
/// bearer token of an allowed application, or with an API key whose SHA-256 is configured; anything else is a 401 problem
/// (403 for a valid token of an application that is not allowed). A credential in the URL is refused, so that no key ends
/// up in logs of URLs. With nothing configured the gate is open in a host that does not register
/// <see cref="ApiAuthenticationRequirement"/> (<c>rolemining serve</c> on this machine) and shut in one that does (the
/// Functions app): every request is then a 503 problem saying what to configure, while the host's timers and queues run.
/// </summary>
public sealed class ApiAuthenticator
{
    private static readonly string[] CredentialQueryParameters = ["code", ApiAuthenticationOptions.ApiKeyHeader, "access_token", "api_key", "apikey"];

    private readonly ApiAuthenticationOptions _options;
    private readonly EntraTokenValidator _tokens;
    private readonly List<(string Caller, byte[] Hash)> _keys;
    private readonly ILogger<ApiAuthenticator> _logger;
    private readonly bool _required;
    private readonly TimeSpan _unavailableRetryAfter;

    /// <summary>Creates the gate; <paramref name="requirement"/> is registered by hosts that serve only authenticated callers.</summary>
    public ApiAuthenticator(IOptions<RoleMiningApiOptions> options, EntraTokenValidator tokens, ILogger<ApiAuthenticator> logger, IEnumerable<ApiAuthenticationRequirement> requirement)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(requirement);
        _required = requirement.Any();
        _options = options.Value.Authentication;
        _unavailableRetryAfter = options.Value.UnavailableRetryAfter;
        _tokens = tokens;
        _logger = logger;
        _keys = [.. _options.ConfiguredApiKeys.Select(pair => (pair.Key, Convert.FromHexString(pair.Value)))];
    }

    /// <summary>Whether requests must authenticate.</summary>
    public bool IsEnabled => _options.IsConfigured;

    /// <summary>
    /// Null when <paramref name="request"/> may go on (its <c>HttpContext.User</c> then names the caller); otherwise the
    /// problem to answer.
    /// </summary>
    public async Task<IResult?> AuthenticateAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!IsEnabled)
        {
            return _required ? NotConfigured(request) : null;
        }

        if (CredentialQueryParameters.FirstOrDefault(name => request.Query.ContainsKey(name)) is { } inUrl)
        {
            return Unauthorized(request, $"Credentials are never accepted in the URL (query parameter '{inUrl}'): URLs are logged. Send an Entra ID token in the Authorization header or the key in the {ApiAuthenticationOptions.ApiKeyHeader} header.");
        }

        // A valid key passes whatever else the request carries: a proxy or an HTTP action may add an Authorization header
        // of its own (Basic, another API's token) in front of a caller that authenticates with its key.
        var key = request.Headers[ApiAuthenticationOptions.ApiKeyHeader].ToString();
        if (key.Length > 0 && _keys.Count > 0 && CallerOfKey(key) is { } headerKeyCaller)
        {
            return Authenticated(request, headerKeyCaller);
        }

        var authorization = request.Headers.Authorization.ToString();
        if (authorization.Length > 0)
        {
            const string bearer = "Bearer ";
            if (!authorization.StartsWith(bearer, StringComparison.OrdinalIgnoreCase))
            {
                return Unauthorized(request, "The Authorization header must carry a bearer token (Authorization: Bearer <Entra ID access token>).");
            }

            var token = authorization[bearer.Length..].Trim();
            if (_options.AcceptApiKeysAsBearerTokens && _keys.Count > 0)
            {
                if (CallerOfKey(token) is { } keyCaller)
                {
                    return Authenticated(request, keyCaller);
                }

                if (!_options.Entra.IsConfigured)
                {
                    return Unauthorized(request, "The bearer token is not a valid API key.");
                }
            }

            var check = await _tokens.ValidateAsync(token, cancellationToken).ConfigureAwait(false);
            switch (check.Outcome)
            {
                case CredentialOutcome.Valid:
                    request.HttpContext.User = check.Principal!;
                    Log.CallerAuthenticated(_logger, "bearer token", check.Caller!);
                    return null;
                case CredentialOutcome.Forbidden:
                    Log.CallerRejected(_logger, StatusCodes.Status403Forbidden, check.Reason!);
                    return ApiProblems.Problem(request, StatusCodes.Status403Forbidden, "The caller is not allowed.", check.Reason!);
                case CredentialOutcome.Unavailable:
                    Log.TokenIssuerUnavailable(_logger, check.Cause);
                    return new HeaderResult(
                        ApiProblems.Problem(request, StatusCodes.Status503ServiceUnavailable, "Sign-in cannot be checked right now; retry later.", check.Reason!),
                        ("Retry-After", ApiProblems.RetryAfterSeconds(_unavailableRetryAfter)));
                default:
                    return Unauthorized(request, check.Reason!);
            }
        }

        if (key.Length > 0)
        {
            if (_keys.Count == 0)
            {
                return Unauthorized(request, "API keys are not accepted by this deployment; send an Entra ID bearer token.");
            }

            return CallerOfKey(key) is { } caller
                ? Authenticated(request, caller)
                : Unauthorized(request, $"The key in the {ApiAuthenticationOptions.ApiKeyHeader} header is not valid.");
        }

        return Unauthorized(request, "This API needs credentials: " + string.Join(" or ", Accepted()) + ".");
    }

    /// <summary>The caller whose key hash <paramref name="key"/> has, or null.</summary>
    private string? CallerOfKey(string key)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(key));
        string? caller = null;
        foreach (var (name, expected) in _keys)
        {
            // Every configured hash is compared, in constant time, so timing tells nothing about which one is close.
            if (CryptographicOperations.FixedTimeEquals(hash, expected))
            {
                caller = name;
            }
        }

        return caller;
    }

    /// <summary>Names <paramref name="caller"/> as the request's user; null, as <see cref="AuthenticateAsync"/> answers a request that may go on.</summary>
    private IResult? Authenticated(HttpRequest request, string caller)
    {
        request.HttpContext.User = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, caller)], "ApiKey"));
        Log.CallerAuthenticated(_logger, "API key", caller);
        return null;
    }

    private IEnumerable<string> Accepted()
    {
        if (_options.Entra.IsConfigured)
        {
            yield return "an Entra ID bearer token (Authorization: Bearer ...)";
        }

        if (_keys.Count > 0)
        {
            yield return _options.AcceptApiKeysAsBearerTokens
                ? $"an API key in the {ApiAuthenticationOptions.ApiKeyHeader} header or as 'Authorization: Bearer <key>'"
                : $"an API key in the {ApiAuthenticationOptions.ApiKeyHeader} header";
        }
    }

    /// <summary>
    /// What a host that requires authentication answers while none is configured. The host still starts: its timers and
    /// queues (the nightly sweep, running exports) must not stop because no HTTP caller was set up yet.
    /// </summary>
    private IResult NotConfigured(HttpRequest request)
    {
        Log.AuthenticationNotConfigured(_logger);
        return ApiProblems.Problem(request, StatusCodes.Status503ServiceUnavailable, "Authentication is not configured.", NotConfiguredDetail);
    }

    /// <summary>What to configure, for the 503 problem and the start-up log.</summary>
    internal const string NotConfiguredDetail =
        "This API serves no request until a way to authenticate callers is configured: RoleMining:Api:Authentication:Entra "
        + "(Authority, Audiences, AllowedClientApplications) for Entra ID callers, or RoleMining:Api:Authentication:ApiKeys:<caller name> "
        + "(the SHA-256 of a key) for callers that send a key. See docs/deploy.md, Authentication.";

    private HeaderResult Unauthorized(HttpRequest request, string detail)
    {
        Log.CallerRejected(_logger, StatusCodes.Status401Unauthorized, detail);
        var challenges = new List<string>();
        if (_options.Entra.IsConfigured || (_options.AcceptApiKeysAsBearerTokens && _keys.Count > 0))
        {
            challenges.Add("Bearer");
        }

        if (_keys.Count > 0)
        {
            challenges.Add($"ApiKey header=\"{ApiAuthenticationOptions.ApiKeyHeader}\"");
        }

        return new HeaderResult(
            ApiProblems.Problem(request, StatusCodes.Status401Unauthorized, "Authentication is required.", detail),
            (HeaderNames.WWWAuthenticate, string.Join(", ", challenges)));
    }
}
