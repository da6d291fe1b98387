using System.Text.RegularExpressions;
using RoleMining.Infrastructure.Tests.Support;

namespace RoleMining.Infrastructure.Tests.Bicep;

/// <summary>No key, connection string or shared-key access anywhere; secrets only through Key Vault; local auth off.</summary>
public sealed class BicepSecurityTests
{
    public static TheoryData<string> BicepFiles() => [.. BicepFile.All().Select(file => file.RelativePath)];

    [Fact]
    public void Infra_has_the_expected_templates()
    {
        var files = BicepFile.All().Select(file => file.RelativePath).ToList();

        Assert.Contains("infra/main.bicep", files);
        Assert.Contains(AppSettings.FunctionAppBicep, files);
        Assert.Contains("infra/app/rbac.bicep", files);
    }

    [Theory]
    [MemberData(nameof(BicepFiles))]
    public void No_template_reads_keys_or_builds_connection_strings(string relativePath)
    {
        var code = BicepFile.Load(relativePath).Code;

        // listKeys/listAccountSas/listServiceSas hand out account keys or SAS; the rest are parts of key-based
        // connection strings or key-based deployment storage.
        string[] forbidden =
        [
            "listKeys", "listAccountSas", "listServiceSas", "listConnectionStrings", "AccountKey", "DefaultEndpointsProtocol",
            "SharedAccessSignature", "SharedAccessKey", "primaryKey", "secondaryKey", "StorageAccountConnectionString",
            "UseDevelopmentStorage", "InstrumentationKey=",
        ];
        var found = forbidden.Where(pattern => code.Contains(pattern, StringComparison.OrdinalIgnoreCase)).ToList();

        Assert.True(found.Count == 0, $"{relativePath} contains {string.Join(", ", found)}");
    }

    [Fact]
    public void Storage_account_refuses_shared_keys_and_public_blobs_and_old_tls()
    {
        var storage = BicepFile.Load("infra/app/storage.bicep").PropertiesAfter("kind: 'StorageV2'");

        Assert.Equal("false", storage["allowSharedKeyAccess"]);
        Assert.Equal("false", storage["allowBlobPublicAccess"]);
        Assert.Equal("'TLS1_2'", storage["minimumTlsVersion"]);
        Assert.Equal("true", storage["supportsHttpsTrafficOnly"]);
    }

    [Fact]
    public void Host_storage_is_identity_based_without_a_connection_string()
    {
        var settings = AppSettings.FromBicep();

        Assert.DoesNotContain("AzureWebJobsStorage", settings.Keys);
        Assert.Equal("'managedidentity'", settings["AzureWebJobsStorage__credential"]);
        Assert.Equal("identityClientId", settings["AzureWebJobsStorage__clientId"]);
        Assert.Contains("AzureWebJobsStorage__blobServiceUri", settings.Keys);
        Assert.Contains("AzureWebJobsStorage__queueServiceUri", settings.Keys);
    }

    [Fact]
    public void Deployment_package_storage_authenticates_with_the_user_assigned_identity()
    {
        var functionApp = BicepFile.Load(AppSettings.FunctionAppBicep).Code;

        Assert.Matches(new Regex(@"authentication: \{\s*type: 'UserAssignedIdentity'\s*userAssignedIdentityResourceId: identityId"), functionApp);
    }

    [Fact]
    public void SailPoint_secret_reaches_the_app_only_as_a_key_vault_reference_resolved_with_the_user_assigned_identity()
    {
        var functionApp = BicepFile.Load(AppSettings.FunctionAppBicep);
        var settings = AppSettings.FromBicep();

        Assert.Equal("'@Microsoft.KeyVault(SecretUri=${sailPointClientSecretUri})'", settings["SailPoint__ClientSecret"]);
        Assert.Contains("keyVaultReferenceIdentity: identityId", functionApp.Code, StringComparison.Ordinal);
        Assert.Contains("'UserAssigned'", functionApp.Code, StringComparison.Ordinal);
    }

    [Fact]
    public void Client_secret_parameter_is_secure_and_has_no_default_value()
    {
        var main = BicepFile.Load("infra/main.bicep").Code;

        Assert.Matches(new Regex(@"@secure\(\)\s*\nparam sailPointClientSecret string = ''"), main);
    }

    [Fact]
    public void Key_vault_uses_rbac_and_the_secret_uri_is_versionless()
    {
        var keyVault = BicepFile.Load("infra/app/key-vault.bicep");
        var vault = keyVault.PropertiesAfter("resource vault ");

        Assert.Equal("true", vault["enableRbacAuthorization"]);
        Assert.DoesNotContain("accessPolicies", keyVault.Code, StringComparison.Ordinal);

        // A versionless URI makes the app follow rotations without a redeployment (docs/deploy.md).
        Assert.Contains("output sailPointSecretUri string = '${vault.properties.vaultUri}secrets/${sailPointClientSecretName}'", keyVault.Code, StringComparison.Ordinal);
    }

    [Fact]
    public void Monitoring_accepts_only_entra_authenticated_telemetry()
    {
        var monitoring = BicepFile.Load("infra/app/monitoring.bicep").Code;
        var settings = AppSettings.FromBicep();

        Assert.Contains("DisableLocalAuth: true", monitoring, StringComparison.Ordinal);
        Assert.Contains("disableLocalAuth: true", monitoring, StringComparison.Ordinal);
        Assert.Equal("'ClientId=${identityClientId};Authorization=AAD'", settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]);
    }

    [Fact]
    public void Every_role_assignment_says_why_it_is_needed()
    {
        var lines = BicepFile.Load("infra/app/rbac.bicep").Text.Split('\n');
        var assignments = lines
            .Select((line, index) => (line, index))
            .Where(entry => entry.line.Contains("'Microsoft.Authorization/roleAssignments@", StringComparison.Ordinal))
            .ToList();

        Assert.True(assignments.Count >= 4, "the app identity needs at least four role assignments");
        foreach (var (line, index) in assignments)
        {
            Assert.True(index > 0 && lines[index - 1].TrimStart().StartsWith("//", StringComparison.Ordinal), $"no comment above: {line.Trim()}");
        }
    }

    [Fact]
    public void App_identity_gets_the_least_privilege_roles_it_needs()
    {
        var rbac = BicepFile.Load("infra/app/rbac.bicep").Code;

        // Blob Data Owner (host storage), Queue Data Contributor (triggers, sends, poison queues), Key Vault Secrets User,
        // Monitoring Metrics Publisher; nothing at subscription or resource-group scope, no Owner or Contributor role.
        string[] expected =
        [
            "b7e6dc6d-f1e8-4753-8033-0f276bb0955b", "974c5e8b-45b9-4653-ba55-5f855dd0fb88",
            "4633458b-17de-408a-b874-0445c86b69e6", "3913510d-42f4-4e42-8a64-420c390055eb",
        ];
        foreach (var roleId in expected)
        {
            Assert.Contains(roleId, rbac, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("8e3af657-a8ff-443c-a75c-2fe8c4bcb635", rbac, StringComparison.Ordinal); // Owner
        Assert.DoesNotContain("b24988ac-6180-42a0-ab88-20f7382dd24c", rbac, StringComparison.Ordinal); // Contributor
        Assert.DoesNotContain("scope: resourceGroup()", rbac, StringComparison.Ordinal);
        Assert.DoesNotContain("scope: subscription()", rbac, StringComparison.Ordinal);
    }
}
