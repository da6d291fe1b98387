namespace RoleMining.Api;

/// <summary>App settings that are Key Vault references (<c>@Microsoft.KeyVault(SecretUri=...)</c>) in Azure.</summary>
public static class KeyVaultReferences
{
    /// <summary>How the platform writes a reference, and leaves one it could not resolve.</summary>
    public const string Prefix = "@Microsoft.KeyVault(";

    /// <summary>Whether <paramref name="value"/> is a reference, not the value it stands for.</summary>
    public static bool IsReference(string? value) => value?.TrimStart().StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) == true;
}

/// <summary>
/// Registered by a host whose platform resolves Key Vault references in its settings (the Azure Functions app, through
/// <c>AcceptPlatformKeyVaultReferences</c>): there a setting still in that form is one the platform could not resolve yet,
/// which is reported and retried rather than refused at start. A host without it (<c>rolemining serve</c>) resolves no
/// reference, so one in its settings is a mistake to refuse at start.
/// </summary>
public sealed class PlatformKeyVaultReferences;
