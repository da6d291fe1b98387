using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using RoleMining.Emulator.Faults;

namespace RoleMining.Emulator.Auth;

internal enum TokenCheck
{
    Valid,
    Unknown,
    Expired,
    Revoked,
}

/// <summary>An issued access token: opaque, known only to this store.</summary>
internal sealed record IssuedToken(string ClientId, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt, DateTimeOffset ValidUntil);

/// <summary>Issues opaque access tokens and checks them against the injected clock.</summary>
internal sealed class TokenStore(TimeProvider timeProvider, IOptions<EmulatorOptions> options, FaultDecider faults)
{
    private readonly ConcurrentDictionary<string, IssuedToken> _tokens = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _revoked = new(StringComparer.Ordinal);

    /// <summary>Issues a token for <paramref name="clientId"/>; returns the token and its advertised lifetime.</summary>
    public (string AccessToken, TimeSpan Lifetime) Issue(string clientId)
    {
        var settings = options.Value;
        var now = timeProvider.GetUtcNow();
        var lifetime = settings.TokenLifetime;
        var expiresAt = now + lifetime;

        // A fault may make the token stop working before the expiry it advertises (as an early revocation would).
        var validUntil = faults.Chance(settings.Faults.EarlyTokenExpiryShare) ? now + settings.Faults.EarlyTokenLifetime : expiresAt;
        var accessToken = Base64UrlToken();
        _tokens[accessToken] = new IssuedToken(clientId, now, expiresAt, validUntil < expiresAt ? validUntil : expiresAt);
        return (accessToken, lifetime);
    }

    public TokenCheck Check(string accessToken, out string? clientId)
    {
        clientId = null;
        if (_revoked.ContainsKey(accessToken))
        {
            return TokenCheck.Revoked;
        }

        if (!_tokens.TryGetValue(accessToken, out var token))
        {
            return TokenCheck.Unknown;
        }

        if (timeProvider.GetUtcNow() >= token.ValidUntil)
        {
            return TokenCheck.Expired;
        }

        clientId = token.ClientId;
        return TokenCheck.Valid;
    }

    /// <summary>Every token issued so far stops working.</summary>
    public void RevokeAll()
    {
        foreach (var accessToken in _tokens.Keys)
        {
            if (_tokens.TryRemove(accessToken, out _))
            {
                _revoked[accessToken] = 0;
            }
        }
    }

    private static string Base64UrlToken()
    {
        Span<byte> bytes = stackalloc byte[32];
        RandomNumberGenerator.Fill(bytes);
        return Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }
}
