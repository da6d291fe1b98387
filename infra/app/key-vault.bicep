// A Key Vault in RBAC mode, dedicated to this app, holding the SailPoint client secret and
// the completion callback's URL and OAuth client secret. The Function App reads the
// secret through a Key Vault reference resolved with its user-assigned identity; nobody gets access policies.

@description('Name of the Key Vault (3-24 characters).')
@minLength(3)
@maxLength(24)
param name string

@description('Azure region.')
param location string

@description('Tags applied to the vault.')
param tags object

@description('Name of the secret that holds the SailPoint OAuth client secret.')
param sailPointClientSecretName string

@description('The SailPoint OAuth client secret. Empty: the secret is not written (set it later with az keyvault secret set).')
@secure()
param sailPointClientSecret string

@description('Name of the secret that holds the OAuth client secret of the completion callback (a SailPoint Workflow external trigger).')
param callbackClientSecretName string

@description('That OAuth client secret. Empty: not written.')
@secure()
param callbackClientSecret string

@description('Name of the secret that holds the completion callback\'s URL.')
param callbackUrlSecretName string

@description('That URL (a Logic App trigger\'s carries its signature). Empty: not written, and no callback is configured.')
@secure()
param callbackUrl string

@description('Turn on purge protection (recommended for production; a purge-protected vault name stays reserved after deletion).')
param enablePurgeProtection bool

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 7
    // Key Vault refuses an explicit false once set, so the property is left out unless it is turned on.
    enablePurgeProtection: enablePurgeProtection ? true : null
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

// Written only when a value is given, so that re-running the deployment without it leaves a rotated secret alone. azd
// passes an `azd env set` value to every provision: docs/deploy.md says to clear it after the first one.
resource sailPointSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(sailPointClientSecret)) {
  parent: vault
  name: sailPointClientSecretName
  properties: {
    value: sailPointClientSecret
    contentType: 'SailPoint ISC OAuth client secret'
  }
}

resource callbackSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(callbackClientSecret)) {
  parent: vault
  name: callbackClientSecretName
  properties: {
    value: callbackClientSecret
    contentType: 'OAuth client secret of the SailPoint Workflow external trigger that receives completed exports'
  }
}

resource callbackUrlSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(callbackUrl)) {
  parent: vault
  name: callbackUrlSecretName
  properties: {
    value: callbackUrl
    contentType: 'URL that receives completed exports'
  }
}

output name string = vault.name
output id string = vault.id
// Versionless, so that the Function App picks up a rotated secret without a redeployment.
output sailPointSecretUri string = '${vault.properties.vaultUri}secrets/${sailPointClientSecretName}'
output callbackSecretUri string = '${vault.properties.vaultUri}secrets/${callbackClientSecretName}'
output callbackUrlSecretUri string = '${vault.properties.vaultUri}secrets/${callbackUrlSecretName}'
