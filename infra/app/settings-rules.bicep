// Parameters the app would refuse at start-up, refused by the deployment instead: an app that fails its start runs nothing,
// its export queues and timers included, while the deployment itself would have succeeded. The rules are the app's own
// (ApiAuthenticationOptionsValidator and CallbackTargetOptions in src/RoleMining.Api), for the settings function-app.bicep
// writes from these parameters; tests/RoleMining.Infrastructure.Tests evaluates them with the Bicep CLI.

@export()
@description('What is wrong with the API and callback parameters, one sentence each naming the azd variable; empty when nothing is.')
func settingsProblems(
  apiClientId string,
  allowedClientApplications string,
  sailPointWorkflowKeySha256 string,
  callbackUrl string,
  callbackTokenUrl string,
  callbackClientId string
) string[] =>
  filter(
    [
      !empty(trim(apiClientId)) && empty(clientIds(allowedClientApplications))
        ? 'ROLEMINING_ALLOWED_CLIENT_APPLICATIONS (allowedClientApplications) must list the client ids allowed to call when ROLEMINING_API_CLIENT_ID is set: any application of the tenant could otherwise get a token for the API.'
        : ''
      empty(trim(apiClientId)) && !empty(clientIds(allowedClientApplications))
        ? 'ROLEMINING_ALLOWED_CLIENT_APPLICATIONS (allowedClientApplications) is set but ROLEMINING_API_CLIENT_ID (apiClientId), the API\'s app registration, is not.'
        : ''
      !empty(trim(sailPointWorkflowKeySha256)) && (length(trim(sailPointWorkflowKeySha256)) != 64 || !isHex(trim(sailPointWorkflowKeySha256)))
        ? 'ROLEMINING_SAILPOINT_WORKFLOW_KEY_SHA256 (sailPointWorkflowKeySha256) must be the SHA-256 of the key as 64 hexadecimal characters (printf %s "$key" | sha256sum), never the key itself.'
        : ''
      // The callback's settings count only with its URL, as in the app: without one there is no callback.
      !empty(trim(callbackUrl)) && !startsWith(toLower(trim(callbackUrl)), 'https://')
        ? 'ROLEMINING_CALLBACK_URL (callbackUrl) must be an https URL.'
        : ''
      !empty(trim(callbackUrl)) && empty(trim(callbackTokenUrl)) != empty(trim(callbackClientId))
        ? 'ROLEMINING_CALLBACK_TOKEN_URL (callbackTokenUrl) and ROLEMINING_CALLBACK_CLIENT_ID (callbackClientId) go together: both for a receiver that wants an OAuth token, neither for one that does not.'
        : ''
      !empty(trim(callbackUrl)) && !empty(trim(callbackTokenUrl)) && !startsWith(toLower(trim(callbackTokenUrl)), 'https://')
        ? 'ROLEMINING_CALLBACK_TOKEN_URL (callbackTokenUrl) must be an https URL.'
        : ''
    ],
    problem => !empty(problem)
  )

@export()
@description('Client ids as the app reads a list setting (ApiAuthenticationOptions.Values): separated by commas, semicolons or spaces, trimmed, empty entries dropped.')
func clientIds(list string) string[] => filter(map(split(list, [',', ';', ' ']), id => trim(id)), id => !empty(id))

// Bicep has no regular expressions: every character is looked up among the hexadecimal digits.
func isHex(text string) bool => empty(filter(map(range(0, length(text)), i => substring(text, i, 1)), c => !contains('0123456789abcdefABCDEF', c)))
