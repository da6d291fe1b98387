using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using RoleMining.Infrastructure.Tests.Support;

namespace RoleMining.Infrastructure.Tests.Bicep;

/// <summary>
/// The completion callback's URL is handled as a secret: a receiver without OAuth (a Logic App trigger) authenticates the
/// call by a signature in its URL. A plain parameter is readable in the resource group's deployment history by anyone
/// with Reader, and a plain app setting by anyone who may list the app's settings.
/// </summary>
public sealed class CallbackUrlSecrecyTests
{
    [RequiresBicepFact]
    public async Task The_callback_url_is_a_secure_parameter_that_reaches_nothing_else_than_the_vault_and_whether_it_is_set()
    {
        using var document = await BicepCli.CompileAsync("infra/main.bicep");
        Assert.Equal("securestring", document.RootElement.GetProperty("parameters").GetProperty("callbackUrl").GetProperty("type").GetString());

        // Every use of the parameter outside a secure module parameter must be one that cannot carry its text: looking only
        // at module parameters that name it would miss one fed from a variable that holds the URL (as
        // apiSettings.callbackUrl did before it became secure). So the secure module parameters are taken out (they show in
        // no deployment history) and what remains must not use it.
        var template = JsonNode.Parse(document.RootElement.GetRawText())!.AsObject();
        template.Remove("parameters");
        template.Remove("functions");
        // Unescaped, so that the expressions read as written (the default escapes their quotes).
        var asWritten = new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        var secureReceivers = new List<string>();
        foreach (var (moduleName, resource) in template["resources"]!.AsObject())
        {
            if ((string?)resource!["type"] != "Microsoft.Resources/deployments")
            {
                continue;
            }

            var properties = resource["properties"]!.AsObject();
            var declared = properties["template"]!["parameters"]!.AsObject();
            var passed = properties["parameters"]!.AsObject();
            foreach (var name in passed.Select(parameter => parameter.Key).Where(name => (string?)declared[name]!["type"] == "securestring").ToList())
            {
                if (passed[name]!.ToJsonString(asWritten).Contains("parameters('callbackUrl')", StringComparison.Ordinal))
                {
                    secureReceivers.Add($"{moduleName}.{name}");
                }

                passed.Remove(name);
            }

            properties.Remove("template");
        }

        // The URL goes to the vault, and only there.
        Assert.Equal(["keyVault.callbackUrl"], secureReceivers);
        var uses = template.ToJsonString(asWritten);
        Assert.Contains("parameters('callbackTokenUrl')", uses, StringComparison.Ordinal);
        // Whether it is set (a bool), and the deployment's rules, whose sentences are constants.
        uses = uses.Replace("not(empty(trim(parameters('callbackUrl'))))", string.Empty, StringComparison.Ordinal);
        uses = Regex.Replace(uses, @"__bicep\.settingsProblems\((?:parameters\('\w+'\)(?:, )?)+\)", string.Empty);

        Assert.DoesNotContain("parameters('callbackUrl')", uses, StringComparison.Ordinal);
    }

    [Fact]
    public void The_app_reads_the_callback_url_through_a_key_vault_reference()
    {
        var url = AppSettings.FromBicep()["RoleMining__Api__Callbacks__SailPointWorkflow__Url"];

        Assert.Equal("callbackEnabled ? '@Microsoft.KeyVault(SecretUri=${callbackUrlSecretUri})' : ''", url);
    }
}
