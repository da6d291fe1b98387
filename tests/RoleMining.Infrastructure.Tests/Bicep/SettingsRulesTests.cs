using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RoleMining.Api;
using RoleMining.Infrastructure.Tests.Support;

namespace RoleMining.Infrastructure.Tests.Bicep;

/// <summary>
/// infra/app/settings-rules.bicep, evaluated by the Bicep CLI (<c>bicep test</c>), against the app's own start-up checks:
/// the deployment refuses exactly the parameters whose settings would stop the app at start, its queues and timers
/// included, and says which azd variable is wrong.
/// </summary>
public sealed class SettingsRulesTests
{
    private const string ApiClientId = "11111111-2222-3333-4444-555555555555";
    private const string LogicApp = "66666666-7777-8888-9999-000000000000";
    private static readonly string KeyHash = new('a', 64);

    /// <summary>Each case: the parameters, and a fragment of the refusal (null: accepted).</summary>
    private static readonly Case[] Cases =
    [
        new("nothing", Expected: null),
        new("entraWithCallers", ApiClientId: ApiClientId, Allowed: $"{LogicApp}, {ApiClientId}", Expected: null),
        new("entraWithoutCallers", ApiClientId: ApiClientId, Allowed: " , ", Expected: "ROLEMINING_ALLOWED_CLIENT_APPLICATIONS (allowedClientApplications) must list"),
        new("callersWithoutEntra", Allowed: LogicApp, Expected: "ROLEMINING_API_CLIENT_ID (apiClientId), the API's app registration, is not"),
        new("keyHash", KeyHash: KeyHash, Expected: null),
        new("keyItself", KeyHash: "my-secret-key", Expected: "ROLEMINING_SAILPOINT_WORKFLOW_KEY_SHA256 (sailPointWorkflowKeySha256) must be the SHA-256"),
        new("keyNotHex", KeyHash: new string('g', 64), Expected: "64 hexadecimal characters"),
        new("callbackWithoutOAuth", CallbackUrl: "https://acme.api.identitynow.com/beta/workflows/execute/external/1", Expected: null),
        new("callbackWithOAuth", CallbackUrl: "https://acme.api.identitynow.com/beta/workflows/execute/external/1", TokenUrl: "https://acme.api.identitynow.com/oauth/token", CallbackClientId: "client", Expected: null),
        new("callbackTokenUrlOnly", CallbackUrl: "https://acme.api.identitynow.com/x", TokenUrl: "https://acme.api.identitynow.com/oauth/token", Expected: "go together"),
        new("callbackClientIdOnly", CallbackUrl: "https://acme.api.identitynow.com/x", CallbackClientId: "client", Expected: "go together"),
        new("callbackPlainHttp", CallbackUrl: "http://acme.example.com/x", Expected: "ROLEMINING_CALLBACK_URL (callbackUrl) must be an https URL"),
        // Without its URL there is no callback, whatever else is set (an env that removed the callback by clearing only that).
        new("tokenWithoutCallback", TokenUrl: "https://acme.api.identitynow.com/oauth/token", CallbackClientId: "client", Expected: null),
        new("clientIdWithoutCallback", CallbackClientId: "client", Expected: null),
        new("keyHashPadded", KeyHash: KeyHash + " ", Expected: null),
        new("blankApiClientId", ApiClientId: "  ", Expected: null),
        new("tokenPlainHttp", CallbackUrl: "https://acme.api.identitynow.com/x", TokenUrl: "http://acme.example.com/oauth/token", CallbackClientId: "client", Expected: "ROLEMINING_CALLBACK_TOKEN_URL (callbackTokenUrl) must be an https URL"),
    ];

    [RequiresBicepFact]
    public async Task The_deployment_refuses_exactly_the_parameters_the_app_would_refuse_at_start()
    {
        using var infra = BicepCli.CopyInfra();
        var outcomes = await BicepCli.EvaluateProbeAsync(
            infra,
            """
            import { settingsProblems } from '../app/settings-rules.bicep'
            param apiClientId string = ''
            param allowedClientApplications string = ''
            param sailPointWorkflowKeySha256 string = ''
            param callbackUrl string = ''
            param callbackTokenUrl string = ''
            param callbackClientId string = ''
            var problems = settingsProblems(apiClientId, allowedClientApplications, sailPointWorkflowKeySha256, callbackUrl, callbackTokenUrl, callbackClientId)
            // A variable: the CLI evaluates variables (as ARM does when it validates a deployment), not outputs.
            var checked = empty(problems) ? 'none' : fail(join(problems, ' '))
            output checked string = checked
            """,
            Cases.Select(test => (test.Name, (IEnumerable<string>)
            [
                $"apiClientId: '{test.ApiClientId}'",
                $"allowedClientApplications: '{test.Allowed}'",
                $"sailPointWorkflowKeySha256: '{test.KeyHash}'",
                $"callbackUrl: '{test.CallbackUrl}'",
                $"callbackTokenUrl: '{test.TokenUrl}'",
                $"callbackClientId: '{test.CallbackClientId}'",
            ])));

        foreach (var test in Cases)
        {
            Assert.True(outcomes.TryGetValue(test.Name, out var refusal), $"{test.Name}: not evaluated.");
            var appRefusal = AppStartFailure(test);
            if (test.Expected is null)
            {
                Assert.True(refusal is null, $"{test.Name}: refused by the deployment: {refusal}");
                Assert.True(appRefusal is null, $"{test.Name}: the app would not start: {appRefusal}");
            }
            else
            {
                Assert.True(refusal?.Contains(test.Expected, StringComparison.Ordinal) == true, $"{test.Name}: expected '{test.Expected}', got: {refusal}");
                Assert.True(appRefusal is not null, $"{test.Name}: refused by the deployment, but the app would have started.");
            }
        }
    }

    [Fact]
    public void The_callback_secret_is_written_only_with_a_token_url_as_the_app_start_check_above_assumes()
    {
        var secret = AppSettings.FromBicep()["RoleMining__Api__Callbacks__SailPointWorkflow__ClientSecret"];

        Assert.StartsWith("!callbackEnabled || empty(callbackTokenUrl) ? '' : '@Microsoft.KeyVault(", secret, StringComparison.Ordinal);
    }

    /// <summary>
    /// The app's start-up failure for the settings function-app.bicep writes from the case's parameters as main.bicep
    /// passes them (trimmed; the Key Vault reference resolved), or null when it would start.
    /// </summary>
    private static string? AppStartFailure(Case given)
    {
        var test = given with
        {
            ApiClientId = given.ApiClientId.Trim(),
            KeyHash = given.KeyHash.Trim(),
            CallbackUrl = given.CallbackUrl.Trim(),
            TokenUrl = given.TokenUrl.Trim(),
            CallbackClientId = given.CallbackClientId.Trim(),
        };
        var entra = test.ApiClientId.Length > 0;
        var settings = new Dictionary<string, string?>
        {
            ["RoleMining:Api:PublicBaseUrl"] = "https://func-rolemining-abc.azurewebsites.net",
            ["RoleMining:Api:Authentication:Entra:Authority"] = entra ? "https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0" : "",
            ["RoleMining:Api:Authentication:Entra:Audiences"] = entra ? $"api://{test.ApiClientId},{test.ApiClientId}" : "",
            ["RoleMining:Api:Authentication:Entra:AllowedClientApplications"] = test.Allowed,
            ["RoleMining:Api:Authentication:ApiKeys:SailPointWorkflow"] = test.KeyHash,
            ["RoleMining:Api:Callbacks:SailPointWorkflow:Url"] = test.CallbackUrl,
            ["RoleMining:Api:Callbacks:SailPointWorkflow:TokenUrl"] = test.TokenUrl,
            ["RoleMining:Api:Callbacks:SailPointWorkflow:ClientId"] = test.CallbackClientId,
            ["RoleMining:Api:Callbacks:SailPointWorkflow:ClientSecret"] = test.CallbackUrl.Length > 0 && test.TokenUrl.Length > 0 ? "the secret from Key Vault" : "",
        };
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        using var services = new ServiceCollection().AddRoleMiningApi(configuration.GetSection(RoleMiningApiOptions.SectionName)).BuildServiceProvider();
        try
        {
            _ = services.GetRequiredService<IOptions<RoleMiningApiOptions>>().Value;
            return null;
        }
        catch (OptionsValidationException exception)
        {
            return exception.Message;
        }
    }

    private sealed record Case(
        string Name,
        string ApiClientId = "",
        string Allowed = "",
        string KeyHash = "",
        string CallbackUrl = "",
        string TokenUrl = "",
        string CallbackClientId = "",
        string? Expected = null);
}
