// The Function App on the Flex Consumption plan (FC1), running the .NET isolated worker. Every connection is
// identity-based: the host reaches storage with the user-assigned identity (AzureWebJobsStorage__credential), the app's
// own Blob and Queue clients read the same settings, the SailPoint client secret is a Key Vault reference resolved with
// the same identity, and Application Insights accepts only Entra-authenticated telemetry.

import { clientIds } from 'settings-rules.bicep'
import { appServiceAuthentication, entraV1Issuer } from 'api-authentication.bicep'

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

@description('NCRONTAB schedule (six fields, UTC) of the resume of stalled export jobs.')
param resumeSchedule string


@description('Comma-separated session ids the sweep exports; empty: every session whose potential roles are created.')
param exportSessionIds string

@description('Client id of the app registration that represents this API in Entra ID. Empty: Entra ID callers are not accepted (API keys only).')
param apiClientId string = ''

@description('Application id URI of that app registration (the token audience Logic Apps and connectors ask for). Empty: api://{apiClientId}.')
param apiApplicationIdUri string = ''

@description('Comma-separated client ids allowed to call with an Entra ID token: the Logic App\'s managed identity, the Power Automate connector\'s app registration.')
param allowedClientApplications string = ''

@description('SHA-256 (64 hex characters) of the API key the SailPoint Workflow sends in x-functions-key. Empty: no key is accepted.')
param sailPointWorkflowKeySha256 string = ''

@description('Whether a completion callback (callback "SailPointWorkflow") is configured: its URL is in Key Vault.')
param callbackEnabled bool = false

@description('Versionless Key Vault URI of the secret that holds the callback\'s URL.')
param callbackUrlSecretUri string

@description('Token URL of the callback\'s OAuth client, https://{tenant}.api.identitynow.com/oauth/token.')
param callbackTokenUrl string = ''

@description('Client id of the external trigger\'s OAuth client.')
param callbackClientId string = ''

@description('Versionless Key Vault URI of the external trigger\'s OAuth client secret.')
param callbackClientSecretUri string

@description('Memory of one instance, in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

// Flex Consumption scales each trigger group on its own (all HTTP functions together; each of the eight queue functions
// and the two timers by itself: eleven groups here) and caps every group at this count. All instances share one SailPoint budget (100 requests
// per 10 s by default, leased in shares through blob storage), and one instance of a queue function already runs host.json's
// batch of 4 messages plus 2 fetched ahead, enough to keep that budget busy: more instances would mostly wait for
// permits, billed as execution time. See docs/deploy.md, "The SailPoint request budget".
@description('Most instances each function group scales out to (Flex Consumption: 1 to 1000).')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 4

var openIdIssuer = '${environment().authentication.loginEndpoint}${tenant().tenantId}/v2.0'
var apiAudience = empty(apiApplicationIdUri) ? 'api://${apiClientId}' : apiApplicationIdUri
// Read as the app reads the same setting; a bare split(',') would give App Service authentication ' id2' for 'id1, id2'.
var allowedClientApplicationIds = clientIds(allowedClientApplications)

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

      // The resume timer's %RoleMining_ResumeSchedule% (no '__' translation either): how soon work held by a dead
      // instance is taken up again.
      RoleMining_ResumeSchedule: resumeSchedule

      // The workflow fails a job once its message was delivered this often; host.json's maxDequeueCount must agree.
      Exports__MaxAttempts: '5'

      // Links in Location headers and callbacks are built on the app's own address.
      RoleMining__Api__PublicBaseUrl: 'https://${functionApp.properties.defaultHostName}'

      // Who may call: the app checks Entra ID tokens and API keys itself (see authsettingsV2 below for the platform's part).
      RoleMining__Api__Authentication__Entra__Authority: empty(apiClientId) ? '' : openIdIssuer
      RoleMining__Api__Authentication__Entra__AdditionalIssuers: empty(apiClientId) ? '' : entraV1Issuer(environment().name, tenant().tenantId)
      RoleMining__Api__Authentication__Entra__Audiences: empty(apiClientId) ? '' : '${apiAudience},${apiClientId}'
      RoleMining__Api__Authentication__Entra__AllowedClientApplications: allowedClientApplications
      RoleMining__Api__Authentication__ApiKeys__SailPointWorkflow: sailPointWorkflowKeySha256

      // The completion callback a start request may name ("callback": "SailPointWorkflow"); its URL (which may carry a
      // signature) and its secret stay in Key Vault.
      RoleMining__Api__Callbacks__SailPointWorkflow__Url: callbackEnabled ? '@Microsoft.KeyVault(SecretUri=${callbackUrlSecretUri})' : ''
      RoleMining__Api__Callbacks__SailPointWorkflow__TokenUrl: callbackTokenUrl
      RoleMining__Api__Callbacks__SailPointWorkflow__ClientId: callbackClientId
      // Only with a token URL: a receiver without OAuth takes neither, and the app refuses one part without the others.
      RoleMining__Api__Callbacks__SailPointWorkflow__ClientSecret: !callbackEnabled || empty(callbackTokenUrl) ? '' : '@Microsoft.KeyVault(SecretUri=${callbackClientSecretUri})'
    }
  }
}

// App Service authentication (EasyAuth) with Entra ID, in front of the app: it validates any bearer token before the app
// sees the request (401 for an invalid token, 403 for an application not in allowedApplications). Anonymous requests go
// on, because the SailPoint Workflow authenticates with an API key, not a token; the app's own gate then requires one of
// the two for every route (RoleMining:Api:Authentication), so nothing is served unauthenticated either way. Without
// apiClientId it is deployed switched off, so that clearing ROLEMINING_API_CLIENT_ID does not leave the last registration
// validating tokens in front of an app that no longer accepts them.
// After the app settings: two writes to the site's config at once race (Azure/azure-dev#3125 serializes its own for
// that reason), and ARM would otherwise send both in parallel.
resource authSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: functionApp
  name: 'authsettingsV2'
  properties: appServiceAuthentication(apiClientId, openIdIssuer, [apiAudience, apiClientId], allowedClientApplicationIds)
  dependsOn: [
    functionApp::appSettings
  ]
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
