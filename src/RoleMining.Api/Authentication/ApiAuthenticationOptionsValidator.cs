using System.Globalization;
using System.Net;
using Microsoft.Extensions.Options;

namespace RoleMining.Api.Authentication;

/// <summary>
/// Start-up checks of <c>RoleMining:Api:Authentication</c>: what is configured must be usable (an HTTPS authority,
/// audiences, allowed callers, key hashes that are hashes). Nothing configured at all is not a start-up failure: a host
/// that requires authentication then refuses every request (<see cref="ApiAuthenticator"/>), since failing the start
/// would also stop its timers and queues.
/// </summary>
public sealed class ApiAuthenticationOptionsValidator : IValidateOptions<RoleMiningApiOptions>
{
    private const string Section = "RoleMining:Api:Authentication";

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, RoleMiningApiOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var authentication = options.Authentication;
        var failures = new List<string>();
        var entra = authentication.Entra;
        if (entra.IsConfigured)
        {
            if (entra.AuthorityUri is not { } authority || (authority.Scheme != Uri.UriSchemeHttps && !IsLoopbackHttp(authority)))
            {
                failures.Add($"{Section}:Entra:Authority must be an absolute https URL, e.g. https://login.microsoftonline.com/<tenant id>/v2.0 (plain http only on this machine).");
            }

            if (EntraAuthenticationOptions.Values(entra.Audiences).Count == 0)
            {
                failures.Add($"{Section}:Entra:Audiences must name this API's application id URI and/or client id.");
            }

            if (EntraAuthenticationOptions.Values(entra.AllowedClientApplications).Count == 0)
            {
                failures.Add($"{Section}:Entra:AllowedClientApplications must list the client ids allowed to call (any app of the tenant could otherwise get a token).");
            }

            if (entra.ClockSkew < TimeSpan.Zero || entra.ClockSkew > TimeSpan.FromMinutes(10))
            {
                failures.Add($"{Section}:Entra:ClockSkew must be between 0 and 10 minutes.");
            }
        }
        else if (EntraAuthenticationOptions.Values(entra.Audiences).Count > 0 || EntraAuthenticationOptions.Values(entra.AllowedClientApplications).Count > 0)
        {
            failures.Add($"{Section}:Entra:Authority is missing: Audiences and AllowedClientApplications are set but no token issuer is.");
        }

        foreach (var (caller, hash) in authentication.ConfiguredApiKeys)
        {
            if (string.IsNullOrWhiteSpace(caller) || hash.Length != 64 || !hash.All(char.IsAsciiHexDigit))
            {
                failures.Add(string.Create(CultureInfo.InvariantCulture,
                    $"{Section}:ApiKeys:{caller} must be the SHA-256 of the key as 64 hexadecimal characters (e.g. printf %s \"$key\" | sha256sum), never the key itself."));
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool IsLoopbackHttp(Uri uri) =>
        uri.Scheme == Uri.UriSchemeHttp && (uri.IsLoopback || (IPAddress.TryParse(uri.Host, out var address) && IPAddress.IsLoopback(address)));
}

/// <summary>
/// Registered by a host that must not serve unauthenticated requests: while no way in is configured, its API answers every
/// request with 503 and its start logs a critical error (<see cref="ApiAuthenticationStartupCheck"/>).
/// </summary>
public sealed class ApiAuthenticationRequirement;
