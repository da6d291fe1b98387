using System.Text.Json;
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

    [Fact]
    public void The_app_reads_the_callback_url_through_a_key_vault_reference()
    {
        var url = AppSettings.FromBicep()["RoleMining__Api__Callbacks__SailPointWorkflow__Url"];

        Assert.Equal("callbackEnabled ? '@Microsoft.KeyVault(SecretUri=${callbackUrlSecretUri})' : ''", url);
    }
}
