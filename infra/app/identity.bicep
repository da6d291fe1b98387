// The user-assigned identity the Function App runs as: the host's storage connection, the app's own Blob and Queue
// clients, the Key Vault reference and Application Insights all authenticate with it. A user-assigned identity (rather
// than a system-assigned one) exists before the app does, so its role assignments are in place when the app first starts.

@description('Name of the user-assigned managed identity.')
param name string

@description('Azure region.')
param location string

@description('Tags applied to the identity.')
param tags object

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

output id string = identity.id
output name string = identity.name
output clientId string = identity.properties.clientId
output principalId string = identity.properties.principalId
