// The Function App on the Flex Consumption plan (FC1), running the .NET isolated worker. Every connection is
// identity-based: the host reaches storage with the user-assigned identity (AzureWebJobsStorage__credential), the app's
// own Blob and Queue clients read the same settings, the SailPoint client secret is a Key Vault reference resolved with
// the same identity, and Application Insights accepts only Entra-authenticated telemetry.

@description('Name of the Function App.')
param name string

@description('Name of the Flex Consumption plan.')
param planName string

@description('Azure region.')
param location string

@description('Tags applied to the plan and the app.')
param tags object

@description('The azd service name (azure.yaml) this app is deployed as.')
param serviceName string

@description('Resource id of the user-assigned identity the app runs as.')
param identityId string

@description('Client id of that identity (for identity-based connections).')
param identityClientId string

@description('Blob endpoint of the storage account, with trailing slash.')
param blobEndpoint string

@description('Queue endpoint of the storage account, with trailing slash.')
param queueEndpoint string

@description('Table endpoint of the storage account, with trailing slash (the host\'s diagnostic events).')
param tableEndpoint string

@description('Blob container that receives the deployment package.')
param deploymentContainerName string

@description('Application Insights connection string (identifies the resource; not a credential with local auth off).')
param applicationInsightsConnectionString string

@description('SailPoint tenant API base URL, https://{tenant}.api.identitynow.com.')
param sailPointBaseUrl string

@description('SailPoint OAuth client id.')
param sailPointClientId string

@description('SailPoint role-mining API version.')
param sailPointApiVersion string

@description('Versionless Key Vault URI of the SailPoint client secret.')
param sailPointClientSecretUri string

@description('NCRONTAB schedule (six fields, UTC) of the nightly export sweep.')
param exportSchedule string


@description('Comma-separated session ids the sweep exports; empty: every session whose potential roles are created.')
param exportSessionIds string

@description('Memory of one instance, in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Upper bound of instances the plan scales out to (Flex Consumption accepts 40 to 1000).')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 40

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true
  }
}

resource functionApp 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': serviceName })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // Key Vault references are resolved with the user-assigned identity (the app has no system-assigned one).
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      minTlsVersion: '1.2'
      http20Enabled: true
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${blobEndpoint}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
      }
      runtime: {
        name: 'dotnet-isolated'
        version: '10.0'
      }
    }
  }

  // Every setting the app reads. Names use '__' for the ':' of .NET configuration (Linux app settings cannot hold ':').
  // tests/RoleMining.Infrastructure.Tests checks this list against the app's code and local.settings.sample.json.
  resource appSettings 'config' = {
    name: 'appsettings'
    properties: {
      // Identity-based host storage: no connection string, no account key.
      AzureWebJobsStorage__credential: 'managedidentity'
      AzureWebJobsStorage__clientId: identityClientId
      AzureWebJobsStorage__blobServiceUri: blobEndpoint
      AzureWebJobsStorage__queueServiceUri: queueEndpoint
      // The host records diagnostic events (e.g. why a trigger cannot start) in a table; without it, it warns they are off.
      AzureWebJobsStorage__tableServiceUri: tableEndpoint

      // Telemetry authenticated with the identity (local auth is disabled on the component).
      APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
      APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'

      // SailPoint tenant; the secret stays in Key Vault.
      SailPoint__BaseUrl: sailPointBaseUrl
      SailPoint__ClientId: sailPointClientId
      SailPoint__ClientSecret: '@Microsoft.KeyVault(SecretUri=${sailPointClientSecretUri})'
      SailPoint__ApiVersion: sailPointApiVersion

      // The timer trigger's %RoleMining_Schedule% binding expression (a name that needs no '__' translation), and which
      // sessions the sweep exports.
      RoleMining_Schedule: exportSchedule
      RoleMining__Sweep__SessionIds: exportSessionIds

      // The workflow fails a job once its message was delivered this often; host.json's maxDequeueCount must agree.
      Exports__MaxAttempts: '5'
    }
  }
}

// Deployment goes through the identity-authenticated package container; basic (publishing profile) credentials are off.
resource ftpPolicy 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: functionApp
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmPolicy 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: functionApp
  name: 'scm'
  properties: {
    allow: false
  }
}

output name string = functionApp.name
output defaultHostName string = functionApp.properties.defaultHostName
output uri string = 'https://${functionApp.properties.defaultHostName}'
