// The Entra ID side of the API's authentication, as functions of the parameters so that
// tests/RoleMining.Infrastructure.Tests can evaluate them with the Bicep CLI: the v1 token issuer of each cloud, and App
// Service authentication (EasyAuth) on or off with the API's app registration.

@export()
@description('The issuer of v1.0 access tokens (an app registration whose accessTokenAcceptedVersion is unset) in the cloud named as environment().name: sts.chinacloudapi.cn in Azure operated by 21Vianet, sts.windows.net in the public cloud and Azure Government alike.')
func entraV1Issuer(cloudName string, tenantId string) string =>
  cloudName == 'AzureChinaCloud' ? 'https://sts.chinacloudapi.cn/${tenantId}/' : 'https://sts.windows.net/${tenantId}/'

@export()
@description('The properties of authsettingsV2: Entra ID in front of the app with the API\'s registration, or switched off without one (deployed either way, so that clearing the registration turns it off rather than leaving the last one in force).')
func appServiceAuthentication(apiClientId string, openIdIssuer string, audiences string[], allowedApplications string[]) object =>
  empty(apiClientId)
    ? {
        platform: {
          enabled: false
        }
      }
    : {
        platform: {
          enabled: true
          runtimeVersion: '~1'
        }
        globalValidation: {
          requireAuthentication: false
          unauthenticatedClientAction: 'AllowAnonymous'
        }
        httpSettings: {
          requireHttps: true
          forwardProxy: {
            convention: 'NoProxy'
          }
        }
        identityProviders: {
          azureActiveDirectory: {
            enabled: true
            registration: {
              clientId: apiClientId
              openIdIssuer: openIdIssuer
            }
            validation: {
              allowedAudiences: audiences
              defaultAuthorizationPolicy: {
                allowedApplications: allowedApplications
              }
            }
          }
        }
        login: {
          tokenStore: {
            enabled: false
          }
        }
      }
