namespace RoleMining.Api;

/// <summary>App settings that are Key Vault references (<c>@Microsoft.KeyVault(SecretUri=...)</c>) in Azure.</summary>
public static class KeyVaultReferences
{
    /// <summary>How the platform writes a reference, and leaves one it could not resolve.</summary>
    public const string Prefix = "@Microsoft.KeyVault(";

    /// <summary>Whether <paramref name="value"/> is a reference, not the value it stands for.</summary>
    public static bool IsReference(string? value) => value?.TrimStart().StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) == true;
}
