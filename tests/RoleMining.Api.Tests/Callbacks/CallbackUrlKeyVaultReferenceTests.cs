using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RoleMining.Api.Callbacks;

namespace RoleMining.Api.Tests.Callbacks;

/// <summary>
/// A callback URL that is still a Key Vault reference: in the Functions app (App Service resolves references) one that
/// did not resolve yet, which the app starts with so that its exports go on; in <c>rolemining serve</c>, which uses the
/// same options but resolves nothing, a mistake that no callback could ever get past, refused at start like any other URL
/// that is not one.
/// </summary>
public sealed class CallbackUrlKeyVaultReferenceTests
{
    private const string Reference = "@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/callback-url)";

    [Fact]
    public void A_host_that_resolves_no_Key_Vault_reference_refuses_a_callback_url_that_is_one()
    {
        using var services = Services(platformResolvesReferences: false);

        var refused = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<RoleMiningApiOptions>>().Value);

        Assert.Contains(refused.Failures, failure => failure.StartsWith("RoleMining:Api:Callbacks:LogicApp:Url is a Key Vault reference, which only App Service resolves", StringComparison.Ordinal));
    }

    [Fact]
    public void A_host_whose_platform_resolves_references_starts_with_one_that_did_not_resolve()
    {
        using var services = Services(platformResolvesReferences: true);

        var options = services.GetRequiredService<IOptions<RoleMiningApiOptions>>().Value;

        Assert.True(options.Callbacks["LogicApp"].UrlIsUnresolvedKeyVaultReference);
    }

    private static ServiceProvider Services(bool platformResolvesReferences)
    {
        var services = new ServiceCollection().AddRoleMiningApi(options =>
        {
            options.PublicBaseUrl = new Uri("https://rolemining.example.test/");
            options.Callbacks["LogicApp"] = new CallbackTargetOptions { Url = Reference };
        });
        if (platformResolvesReferences)
        {
            services.AcceptPlatformKeyVaultReferences();
        }

        return services.BuildServiceProvider();
    }
}
