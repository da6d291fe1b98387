using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using RoleMining.Validation;

namespace RoleMining.Emulator;

/// <summary>Settings of the emulator, bound from the configuration section <c>Emulator</c>.</summary>
public sealed class EmulatorOptions
{
    /// <summary>The configuration section the options are bound from.</summary>
    public const string SectionName = "Emulator";

    /// <summary>The client id that <c>POST /oauth/token</c> accepts (documented default credentials).</summary>
    [Required]
    public string ClientId { get; set; } = "rolemining-emulator";

    /// <summary>The client secret that <c>POST /oauth/token</c> accepts. Never logged.</summary>
    [Required]
    public string ClientSecret { get; set; } = "rolemining-emulator-secret";

    /// <summary>Further client credentials (client id to secret) that the token endpoint accepts; each client id has
    /// its own rate-limit window. Secrets are never logged.</summary>
#pragma warning disable CA2227 // The configuration binder and object initialisers set this dictionary.
    public Dictionary<string, string> AdditionalClients { get; set; } = new(StringComparer.Ordinal);
#pragma warning restore CA2227

    /// <summary>Lifetime of issued access tokens; ISC issues tokens of about 749 seconds.</summary>
    [TimeSpanRange("00:00:01", "1.00:00:00")]
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromSeconds(749);

    /// <summary>The synthetic tenant: seed and sizes.</summary>
    [ValidateObjectMembers]
    public EmulatorTenantOptions Tenant { get; set; } = new();

    /// <summary>The per-client rate limit of the API endpoints.</summary>
    [ValidateObjectMembers]
    public EmulatorRateLimitOptions RateLimit { get; set; } = new();

    /// <summary>Export lifecycle timing and zip compression.</summary>
    [ValidateObjectMembers]
    public EmulatorExportOptions Exports { get; set; } = new();

    /// <summary>Fault injection; all off by default. The live instance can be changed while the server runs.</summary>
    [ValidateObjectMembers]
    public EmulatorFaultOptions Faults { get; set; } = new();

    /// <summary>Copies every setting into <paramref name="target"/>, sharing the nested option objects (so that
    /// <see cref="Faults"/> stays the one live instance).</summary>
    internal void CopyTo(EmulatorOptions target)
    {
        target.ClientId = ClientId;
        target.ClientSecret = ClientSecret;
        target.AdditionalClients = AdditionalClients;
        target.TokenLifetime = TokenLifetime;
        target.Tenant = Tenant;
        target.RateLimit = RateLimit;
        target.Exports = Exports;
        target.Faults = Faults;
    }

    /// <summary>Describes the options without the client secret.</summary>
    public override string ToString() =>
        $"ClientId={ClientId}, ClientSecret=***, TokenLifetime={TokenLifetime}, Seed={Tenant.Seed}, RateLimit={(RateLimit.Enabled ? $"{RateLimit.PermitLimit}/{RateLimit.Window} {RateLimit.Mode}" : "off")}";
}
