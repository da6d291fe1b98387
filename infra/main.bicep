// Role-mining automation on Azure Functions (Flex Consumption), provisioned by `azd up` or
// `az deployment sub create --template-file infra/main.bicep --parameters name=value ...` (docs/deploy.md, "Deploy without
// azd": infra/main.parameters.json holds azd's ${VARIABLE} references, which only azd fills in).
//
// Resources, all in one resource group: a user-assigned identity; a storage account without shared keys holding the
// deployment package, the export artifacts, the job documents and the step queues; Log Analytics and Application
// Insights with local auth disabled; a Key Vault (RBAC) with the SailPoint client secret; the Function App and its plan;
// least-privilege role assignments; alerts to an e-mail action group, and an operations workbook.
targetScope = 'subscription'

import { settingsProblems } from 'app/settings-rules.bicep'

@minLength(1)
@maxLength(64)
@description('Name of the environment (azd env name); part of every resource name and tag.')
param environmentName string

@minLength(1)
@description('Azure region of every resource; it must offer the Flex Consumption plan.')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Principal id of the deploying user or pipeline, given data-plane roles to inspect storage and set the secret. Empty: none.')
param principalId string = ''

@description('Principal type of principalId.')
@allowed([
  'User'
  'ServicePrincipal'
  'Group'
])
param principalType string = 'User'

@description('SailPoint tenant API base URL, https://{tenant}.api.identitynow.com.')
param sailPointBaseUrl string

@description('SailPoint OAuth client id (personal access token id or API client id).')
param sailPointClientId string

@description('SailPoint OAuth client secret, written to Key Vault. Empty: not written (set it in Key Vault afterwards).')
@secure()
param sailPointClientSecret string = ''

@description('Version of the SailPoint role-mining API.')
@allowed([
  'v2024'
  'v2025'
  'v2026'
  'beta'
  'v1'
])
param sailPointApiVersion string = 'v2024'

@description('NCRONTAB schedule (six fields, UTC) of the export sweep; the default runs nightly at 02:00.')
param exportSchedule string = '0 0 2 * * *'

@description('Comma-separated role-mining session ids the sweep exports; empty: every session whose potential roles are created.')
param exportSessionIds string = ''

@description('NCRONTAB schedule (six fields, UTC) of the resume of stalled export jobs (work held by an instance that died); the default runs every 30 seconds.')
param resumeSchedule string = '*/30 * * * * *'

@description('Client id of the Entra ID app registration of this API (docs/deploy.md, "Authentication"). Empty: Entra ID callers are not accepted.')
param apiClientId string = ''

@description('Application id URI of that registration. Empty: api://{apiClientId}.')
param apiApplicationIdUri string = ''

@description('Comma-separated client ids allowed to call with Entra ID tokens (Logic App managed identity, connector app registration).')
param allowedClientApplications string = ''

@description('SHA-256 (64 hex characters) of the API key of the SailPoint Workflow caller. Empty: no API key is accepted.')
param sailPointWorkflowKeySha256 string = ''

// Secure and kept in Key Vault: a receiver without OAuth authenticates by its URL (a Logic App trigger's sig=), which
// would otherwise be readable in the deployment history and the app settings.
@description('URL that receives completed exports (a SailPoint Workflow external trigger, or a Logic App trigger), written to Key Vault. Empty: no callback.')
@secure()
param callbackUrl string = ''

@description('Token URL of that trigger\'s OAuth client (https://{tenant}.api.identitynow.com/oauth/token).')
param callbackTokenUrl string = ''

@description('Client id of that trigger\'s OAuth client.')
param callbackClientId string = ''

@description('Client secret of that trigger\'s OAuth client, written to Key Vault. Empty: not written.')
@secure()
param callbackClientSecret string = ''

@description('Turn on Key Vault purge protection (recommended for production).')
param enablePurgeProtection bool = false

@description('E-mail address that receives the alerts: an export failed, the export sweep failed or did not complete.')
@minLength(3)
param alertEmailAddress string

@description('Hours without a completed export sweep before the "sweep missed" alert fires: the schedule\'s interval plus a grace.')
@minValue(1)
@maxValue(47)
param sweepMissedAfterHours int = 26

// Parameters the app would refuse at start-up stop the deployment before it begins (ARM evaluates variables when it
// validates the template), with one sentence per mistake; the app gets its settings from this object only.
var apiSettingsProblems = settingsProblems(apiClientId, allowedClientApplications, sailPointWorkflowKeySha256, callbackUrl, callbackTokenUrl, callbackClientId)
var apiSettings = empty(apiSettingsProblems)
  ? {
      // Trimmed, as the app reads them: ' ' must not count as an app registration for the Entra settings below.
      apiClientId: trim(apiClientId)
      allowedClientApplications: allowedClientApplications
      sailPointWorkflowKeySha256: trim(sailPointWorkflowKeySha256)
      callbackEnabled: !empty(trim(callbackUrl))
      callbackTokenUrl: trim(callbackTokenUrl)
      callbackClientId: trim(callbackClientId)
    }
  : fail('These parameters would stop the app at start-up, so nothing was deployed: ${join(apiSettingsProblems, ' ')}')

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
}

// Names the app's code also uses (tests/RoleMining.Infrastructure.Tests keeps them in step).
var artifactContainerName = 'role-mining-exports'
var jobContainerName = 'role-mining-jobs'
var rateBudgetContainerName = 'role-mining-rate-budget'
var deploymentContainerName = 'app-package'
var queueNames = [
  'export-start'
  'export-poll'
  'export-download'
  'export-callback'
  'export-start-poison'
  'export-poll-poison'
  'export-download-poison'
  'export-callback-poison'
]
var sailPointClientSecretName = 'sailpoint-client-secret'
var callbackClientSecretName = 'callback-client-secret'
var callbackUrlSecretName = 'callback-url'

var functionAppName = 'func-rolemining-${resourceToken}'
var storageAccountName = 'st${resourceToken}'
var keyVaultName = 'kv-${resourceToken}'
var applicationInsightsName = 'appi-${resourceToken}'

resource rg 'Microsoft.Resources/resourceGroups@2022-09-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

module identity 'app/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: 'id-rolemining-${resourceToken}'
    location: location
    tags: tags
  }
}

module storage 'app/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: storageAccountName
    location: location
    tags: tags
    containerNames: [
      deploymentContainerName
      artifactContainerName
      jobContainerName
      rateBudgetContainerName
    ]
    queueNames: queueNames
  }
}

module monitoring 'app/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: 'log-${resourceToken}'
    applicationInsightsName: applicationInsightsName
    location: location
    tags: tags
  }
}

module keyVault 'app/key-vault.bicep' = {
  name: 'keyVault'
  scope: rg
  params: {
    name: keyVaultName
    location: location
    tags: tags
    sailPointClientSecretName: sailPointClientSecretName
    sailPointClientSecret: sailPointClientSecret
    callbackClientSecretName: callbackClientSecretName
    callbackClientSecret: callbackClientSecret
    callbackUrlSecretName: callbackUrlSecretName
    callbackUrl: trim(callbackUrl)
    enablePurgeProtection: enablePurgeProtection
  }
}

// Before the app: its first start resolves the Key Vault reference and opens storage with these roles.
module rbac 'app/rbac.bicep' = {
  name: 'rbac'
  scope: rg
  params: {
    storageAccountName: storage.outputs.name
    keyVaultName: keyVault.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    appPrincipalId: identity.outputs.principalId
    deployerPrincipalId: principalId
    deployerPrincipalType: principalType
  }
}

module functionApp 'app/function-app.bicep' = {
  name: 'functionApp'
  scope: rg
  params: {
    name: functionAppName
    planName: 'plan-${resourceToken}'
    location: location
    tags: tags
    serviceName: 'api'
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    blobEndpoint: storage.outputs.blobEndpoint
    queueEndpoint: storage.outputs.queueEndpoint
    tableEndpoint: storage.outputs.tableEndpoint
    deploymentContainerName: deploymentContainerName
    applicationInsightsConnectionString: monitoring.outputs.applicationInsightsConnectionString
    sailPointBaseUrl: sailPointBaseUrl
    sailPointClientId: sailPointClientId
    sailPointApiVersion: sailPointApiVersion
    sailPointClientSecretUri: keyVault.outputs.sailPointSecretUri
    exportSchedule: exportSchedule
    exportSessionIds: exportSessionIds
    resumeSchedule: resumeSchedule
    apiClientId: apiSettings.apiClientId
    apiApplicationIdUri: apiApplicationIdUri
    allowedClientApplications: apiSettings.allowedClientApplications
    sailPointWorkflowKeySha256: apiSettings.sailPointWorkflowKeySha256
    callbackEnabled: apiSettings.callbackEnabled
    callbackUrlSecretUri: keyVault.outputs.callbackUrlSecretUri
    callbackTokenUrl: apiSettings.callbackTokenUrl
    callbackClientId: apiSettings.callbackClientId
    callbackClientSecretUri: keyVault.outputs.callbackSecretUri
  }
  dependsOn: [
    rbac
  ]
}

// Alerts on the app's own metrics (an export failed; the sweep failed or did not complete) and the operations workbook.
module alerts 'app/alerts.bicep' = {
  name: 'alerts'
  scope: rg
  params: {
    location: location
    tags: tags
    nameSuffix: resourceToken
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    alertEmailAddress: alertEmailAddress
    sweepMissedAfterHours: sweepMissedAfterHours
  }
}

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output AZURE_FUNCTION_APP_URL string = functionApp.outputs.uri
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output AZURE_STORAGE_ARTIFACT_CONTAINER string = artifactContainerName
output AZURE_STORAGE_JOB_CONTAINER string = jobContainerName
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output SAILPOINT_CLIENT_SECRET_NAME string = sailPointClientSecretName
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.applicationInsightsName
output AZURE_ALERT_ACTION_GROUP string = alerts.outputs.actionGroupName
output AZURE_OPERATIONS_WORKBOOK string = alerts.outputs.workbookName
