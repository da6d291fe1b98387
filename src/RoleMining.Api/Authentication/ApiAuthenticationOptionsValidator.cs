using System.Globalization;
using System.Net;
using Microsoft.Extensions.Options;

namespace RoleMining.Api.Authentication;

/// <summary>
/// Start-up checks of <c>RoleMining:Api:Authentication</c>: a host that requires authentication (the Functions app) must
/// have a way in configured, and what is configured must be usable (an HTTPS authority, audiences, allowed callers, key
/// hashes that are hashes).
/// </summary>
public sealed class ApiAuthenticationOptionsValidator : IValidateOptions<RoleMiningApiOptions>
{
    private const string Section = "RoleMining:Api:Authentication";
    private readonly bool _required;

    /// <summary>Creates the validator; <paramref name="requirement"/> is registered by hosts that serve only authenticated callers.</summary>
    public ApiAuthenticationOptionsValidator(IEnumerable<ApiAuthenticationRequirement> requirement)
    {
        ArgumentNullException.ThrowIfNull(requirement);
        _required = requirement.Any();
    }

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, RoleMiningApiOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var authentication = options.Authentication;
        var failures = new List<string>();
        if (_required && !authentication.IsConfigured)
        {
            failures.Add($"{Section}: no caller could be authenticated, and this host serves no unauthenticated request. Configure "
                + $"{Section}:Entra:Authority (with Audiences and AllowedClientApplications, comma-separated) for Entra ID callers, or "
                + $"{Section}:ApiKeys:<caller name> (the SHA-256 of a key, 64 hex characters) for callers that send a key.");
        }

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

/// <summary>Registered by a host that must not serve unauthenticated requests: its start fails while no way in is configured.</summary>
public sealed class ApiAuthenticationRequirement;
