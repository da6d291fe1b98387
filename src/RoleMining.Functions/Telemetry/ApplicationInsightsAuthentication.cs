using Azure.Core;
using Azure.Identity;

namespace RoleMining.Functions.Telemetry;

/// <summary>
/// The app setting <c>APPLICATIONINSIGHTS_AUTHENTICATION_STRING</c> (<c>Authorization=AAD</c>, with <c>ClientId=...</c> for
/// a user-assigned identity), which the Functions host reads for its own telemetry, read here too so that the worker's
/// exporter authenticates with the same identity: the component has local (key) authentication disabled. One setting,
/// so host and worker cannot disagree.
/// </summary>
public static class ApplicationInsightsAuthentication
{
    /// <summary>The setting's name.</summary>
    public const string SettingName = "APPLICATIONINSIGHTS_AUTHENTICATION_STRING";

    /// <summary>
    /// The managed identity credential the setting names; null when it is empty (key-based ingestion, e.g. a developer's
    /// own component).
    /// </summary>
    /// <exception cref="InvalidOperationException">The setting is not of the documented form (the message never holds its value).</exception>
    public static TokenCredential? CredentialFrom(string? setting)
    {
        if (string.IsNullOrWhiteSpace(setting))
        {
            return null;
        }

        string? authorization = null;
        string? clientId = null;
        foreach (var part in setting.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var separator = part.IndexOf('=', StringComparison.Ordinal);
            var key = separator < 0 ? part : part[..separator].Trim();
            var value = separator < 0 ? string.Empty : part[(separator + 1)..].Trim();
            if (key.Equals("Authorization", StringComparison.OrdinalIgnoreCase))
            {
                authorization = value;
            }
            else if (key.Equals("ClientId", StringComparison.OrdinalIgnoreCase))
            {
                clientId = value;
            }
            else
            {
                throw new InvalidOperationException($"{SettingName} holds an unknown key '{key}'; expected Authorization=AAD and optionally ClientId=<client id>.");
            }
        }

        if (!string.Equals(authorization, "AAD", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"{SettingName} must contain Authorization=AAD.");
        }

        return new ManagedIdentityCredential(string.IsNullOrEmpty(clientId)
            ? ManagedIdentityId.SystemAssigned
            : ManagedIdentityId.FromUserAssignedClientId(clientId));
    }
}
