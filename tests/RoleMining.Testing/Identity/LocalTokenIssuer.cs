using System.Collections.Concurrent;
using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace RoleMining.Testing.Identity;

/// <summary>
/// A stand-in for Entra ID on <c>http://127.0.0.1:{free port}</c>, shaped like it: an authority
/// <c>{base}/{tenant}/v2.0</c> with its OpenID configuration and signing keys (JWKS), and a client-credentials token
/// endpoint (<c>{base}/{tenant}/oauth2/v2.0/token</c>, form <c>client_id</c>, <c>client_secret</c>,
/// <c>scope={audience}/.default</c>) that issues RS256 access tokens with <c>iss</c>, <c>aud</c>, <c>azp</c>,
/// <c>appid</c>, <c>tid</c> as Entra's v2 tokens have them. Logic Apps' managed identity gets its token the same way
/// (from its own endpoint), once per action, and re-applies it to every poll.
/// </summary>
public sealed class LocalTokenIssuer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly RsaSecurityKey _key;
    private readonly ConcurrentDictionary<string, string> _clients = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _issued = new(StringComparer.Ordinal);
    private int _tokenRequests;

    private LocalTokenIssuer(WebApplication app, RsaSecurityKey key, Uri baseAddress, string tenantId)
    {
        _app = app;
        _key = key;
        BaseAddress = baseAddress;
        TenantId = tenantId;
    }

    /// <summary>The server, e.g. <c>http://127.0.0.1:40123/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The tenant id in the authority and in tokens.</summary>
    public string TenantId { get; }

    /// <summary>The authority (and the <c>iss</c> of its tokens): <c>{base}{tenant}/v2.0</c>.</summary>
    public string Authority => $"{BaseAddress}{TenantId}/v2.0";

    /// <summary>The token endpoint.</summary>
    public Uri TokenEndpoint => new(BaseAddress, $"{TenantId}/oauth2/v2.0/token");

    /// <summary>The audience of tokens requested without a scope.</summary>
    public const string DefaultAudience = "urn:local-token-issuer";

    /// <summary>Whether <paramref name="token"/> came from the token endpoint (for receivers that only check that).</summary>
    public bool Issued(string token) => _issued.ContainsKey(token);

    /// <summary>Token requests answered with a token so far.</summary>
    public int TokenRequests => Volatile.Read(ref _tokenRequests);

    /// <summary>Starts an issuer with a fresh RSA key.</summary>
    public static async Task<LocalTokenIssuer> StartAsync()
    {
        var tenantId = Guid.NewGuid().ToString();
        var key = new RsaSecurityKey(RSA.Create(2048)) { KeyId = Guid.NewGuid().ToString("N") };
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration["urls"] = "http://127.0.0.1:0";
        var app = builder.Build();
        LocalTokenIssuer? issuer = null;
        app.MapGet($"/{tenantId}/v2.0/.well-known/openid-configuration", () => Results.Json(new Dictionary<string, object>
        {
            ["issuer"] = issuer!.Authority,
            ["token_endpoint"] = issuer.TokenEndpoint.ToString(),
            ["jwks_uri"] = new Uri(issuer.BaseAddress, $"{tenantId}/discovery/v2.0/keys").ToString(),
            ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
            ["response_types_supported"] = new[] { "code", "token" },
            ["subject_types_supported"] = new[] { "pairwise" },
        }));
        app.MapGet($"/{tenantId}/discovery/v2.0/keys", () =>
        {
            var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(key.Rsa.ExportParameters(false)) { KeyId = key.KeyId });
            return Results.Json(new { keys = new[] { new { kty = jwk.Kty, use = "sig", kid = jwk.Kid, n = jwk.N, e = jwk.E, alg = "RS256" } } });
        });
        app.MapPost($"/{tenantId}/oauth2/v2.0/token", async (HttpContext context) =>
        {
            var form = await context.Request.ReadFormAsync();
            var clientId = form["client_id"].ToString();
            var scope = form["scope"].ToString();
            if (form["grant_type"] != "client_credentials" || !issuer!._clients.TryGetValue(clientId, out var secret)
                || !string.Equals(secret, form["client_secret"].ToString(), StringComparison.Ordinal)
                || (scope.Length > 0 && !scope.EndsWith("/.default", StringComparison.Ordinal)))
            {
                return Results.Json(new { error = "invalid_client" }, statusCode: StatusCodes.Status401Unauthorized);
            }

            Interlocked.Increment(ref issuer._tokenRequests);
            // Without a scope (SailPoint's /oauth/token takes none) the token is for the issuer's own audience.
            var token = issuer.IssueToken(clientId, scope.Length > 0 ? scope[..^"/.default".Length] : DefaultAudience, TimeSpan.FromHours(1));
            issuer._issued[token] = clientId;
            return Results.Json(new { token_type = "Bearer", expires_in = 3600, access_token = token });
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        issuer = new LocalTokenIssuer(app, key, new Uri(address.TrimEnd('/') + "/"), tenantId);
        return issuer;
    }

    /// <summary>Registers a client (an app registration or a managed identity) that may get tokens.</summary>
    public void AddClient(string clientId, string clientSecret) => _clients[clientId] = clientSecret;

    /// <summary>
    /// A token for <paramref name="audience"/> issued to <paramref name="clientId"/>, valid for <paramref name="lifetime"/>
    /// (negative: already expired), signed with this issuer's key or <paramref name="signingKey"/>.
    /// </summary>
    public string IssueToken(string clientId, string audience, TimeSpan lifetime, SecurityKey? signingKey = null)
    {
        var now = DateTime.UtcNow;
        var notBefore = lifetime < TimeSpan.Zero ? now + lifetime - TimeSpan.FromHours(1) : now.AddMinutes(-1);
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Authority,
            Audience = audience,
            IssuedAt = notBefore,
            NotBefore = notBefore,
            Expires = now + lifetime,
            Subject = new ClaimsIdentity(
            [
                new Claim("azp", clientId),
                new Claim("appid", clientId),
                new Claim("sub", clientId),
                new Claim("tid", TenantId),
            ]),
            SigningCredentials = new SigningCredentials(signingKey ?? _key, SecurityAlgorithms.RsaSha256),
        });
    }

    /// <summary>Gets a token from the token endpoint the way a client-credentials caller does.</summary>
    public async Task<string> RequestTokenAsync(HttpClient http, string clientId, string clientSecret, string audience)
    {
        ArgumentNullException.ThrowIfNull(http);
        using var response = await http.PostAsync(TokenEndpoint, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = clientId,
            ["client_secret"] = clientSecret,
            ["scope"] = audience + "/.default",
        }));
        response.EnsureSuccessStatusCode();
        using var body = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("access_token").GetString()!;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _key.Rsa.Dispose();
    }
}
