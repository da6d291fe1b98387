using System.Text.Json;
using RoleMining.Infrastructure.Tests.Support;
using RoleMining.Testing;

namespace RoleMining.Infrastructure.Tests.Bicep;

/// <summary>
/// infra/app/api-authentication.bicep evaluated by the Bicep CLI (<c>bicep test</c>): App Service authentication follows
/// the API's app registration both ways, and the v1 token issuer is the cloud's.
/// </summary>
public sealed class ApiAuthenticationTests
{
    private const string ApiClientId = "11111111-2222-3333-4444-555555555555";

    /// <summary>Each case: the parameters, and what must come out (the probe fails naming what did not).</summary>
    private static readonly Case[] Cases =
    [
        new("registered", ApiClientId, "AzureCloud", Enabled: true, Issuer: "https://sts.windows.net/tenant-1/"),
        // Clearing ROLEMINING_API_CLIENT_ID turns App Service authentication off (it stayed on with the last registration).
        new("cleared", "", "AzureCloud", Enabled: false, Issuer: "https://sts.windows.net/tenant-1/"),
        new("government", ApiClientId, "AzureUSGovernment", Enabled: true, Issuer: "https://sts.windows.net/tenant-1/"),
        new("china", ApiClientId, "AzureChinaCloud", Enabled: true, Issuer: "https://sts.chinacloudapi.cn/tenant-1/"),
    ];

    [RequiresBicepFact]
    public async Task App_Service_authentication_follows_the_registration_and_the_v1_issuer_follows_the_cloud()
    {
        using var infra = BicepCli.CopyInfra();
        var outcomes = await BicepCli.EvaluateProbeAsync(
            infra,
            """
            import { appServiceAuthentication, entraV1Issuer } from '../app/api-authentication.bicep'
            param apiClientId string
            param cloudName string
            param enabled bool
            param issuer string
            var settings = appServiceAuthentication(apiClientId, 'https://login.example/tenant-1/v2.0', ['api://probe', apiClientId], ['66666666-7777-8888-9999-000000000000'])
            var entra = settings.?identityProviders.?azureActiveDirectory
            var problems = filter([
              settings.platform.enabled != enabled ? 'platform.enabled is ${settings.platform.enabled}' : ''
              enabled && entra.?registration.?clientId != apiClientId ? 'the registration is not the API client id' : ''
              enabled && entra.?validation.?defaultAuthorizationPolicy.?allowedApplications != ['66666666-7777-8888-9999-000000000000'] ? 'allowedApplications differ' : ''
              !enabled && entra != null ? 'an identity provider is configured although the platform is off' : ''
              entraV1Issuer(cloudName, 'tenant-1') != issuer ? 'the v1 issuer is ${entraV1Issuer(cloudName, 'tenant-1')}' : ''
            ], problem => !empty(problem))
            // A variable: the CLI evaluates variables, not outputs.
            var checked = empty(problems) ? 'none' : fail(join(problems, '; '))
            output checked string = checked
            """,
            Cases.Select(test => (test.Name, (IEnumerable<string>)
            [
                $"apiClientId: '{test.ApiClientId}'",
                $"cloudName: '{test.CloudName}'",
                $"enabled: {(test.Enabled ? "true" : "false")}",
                $"issuer: '{test.Issuer}'",
            ])));

        foreach (var test in Cases)
        {
            Assert.True(outcomes.TryGetValue(test.Name, out var failure), $"{test.Name}: not evaluated.");
            Assert.True(failure is null, $"{test.Name}: {failure}");
        }
    }

    [RequiresBicepFact]
    public async Task The_function_app_deploys_its_authentication_settings_with_or_without_a_registration()
    {
        using var output = new TemporaryDirectory("rolemining-infra-tests-");
        var template = Path.Combine(output.Path, "function-app.json");

        var build = await BicepCli.BuildAsync(RepositoryPaths.Root, "infra/app/function-app.bicep", output.Path);

        Assert.True(build.ExitCode == 0, build.Output);
        using var compiled = JsonDocument.Parse(await File.ReadAllTextAsync(Directory.EnumerateFiles(output.Path, "function-app.json", SearchOption.AllDirectories).Single()));
        var resources = compiled.RootElement.GetProperty("resources");
        var all = resources.ValueKind == JsonValueKind.Object ? resources.EnumerateObject().Select(resource => resource.Value) : resources.EnumerateArray();
        var authSettings = Assert.Single(all, resource => resource.GetProperty("name").GetString()!.Contains("'authsettingsV2'", StringComparison.Ordinal));
        // A condition would skip it without a registration, leaving the last one deployed in force.
        Assert.False(authSettings.TryGetProperty("condition", out _), template + ": authsettingsV2 is deployed only on a condition");
        Assert.StartsWith("[__bicep.appServiceAuthentication(", authSettings.GetProperty("properties").GetString(), StringComparison.Ordinal);
    }

    private sealed record Case(string Name, string ApiClientId, string CloudName, bool Enabled, string Issuer);
}
