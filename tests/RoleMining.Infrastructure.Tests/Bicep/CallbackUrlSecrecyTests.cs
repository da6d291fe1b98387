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
    public async Task The_callback_url_is_a_secure_parameter_that_reaches_only_secure_module_parameters()
    {
        using var document = await BicepCli.CompileAsync("infra/main.bicep");
        var root = document.RootElement;

        Assert.Equal("securestring", root.GetProperty("parameters").GetProperty("callbackUrl").GetProperty("type").GetString());
        var receivers = new List<string>();
        foreach (var module in root.GetProperty("resources").EnumerateObject().Where(resource => resource.Value.GetProperty("type").GetString() == "Microsoft.Resources/deployments"))
        {
            var properties = module.Value.GetProperty("properties");
            foreach (var parameter in properties.GetProperty("parameters").EnumerateObject().Where(parameter => parameter.Value.GetRawText().Contains("parameters('callbackUrl')", StringComparison.Ordinal)))
            {
                receivers.Add($"{module.Name}.{parameter.Name}");
                var type = properties.GetProperty("template").GetProperty("parameters").GetProperty(parameter.Name).GetProperty("type").GetString();
                Assert.True(type == "securestring", $"module {module.Name} takes the callback URL in its plain parameter {parameter.Name}: it would show in the deployment history.");
            }
        }

        // The check above looked at something: the URL goes to the vault.
        Assert.Equal(["keyVault.callbackUrl"], receivers);
    }

    [RequiresBicepFact]
    public async Task The_callback_url_reaches_nothing_else_than_the_vault_and_whether_it_is_set()
    {
        // The test above sees only module parameters that name the parameter itself: one fed from a variable that holds
        // the URL (as apiSettings.callbackUrl did before it became secure) would pass it. Here every use of the parameter
        // outside the vault's secure parameter must be one that cannot carry its text.
        using var document = await BicepCli.CompileAsync("infra/main.bicep");
        var template = JsonNode.Parse(document.RootElement.GetRawText())!.AsObject();
        template.Remove("parameters");
        template.Remove("functions");
        foreach (var (_, resource) in template["resources"]!.AsObject())
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
                passed.Remove(name);
            }

            properties.Remove("template");
        }

        // Unescaped, so that the expressions read as written (the default escapes their quotes).
        var uses = template.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
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
