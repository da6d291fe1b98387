using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using RoleMining.Api;
using RoleMining.Functions.Hosting;

namespace RoleMining.Functions.Tests.Hosting;

public sealed class UnresolvedKeyVaultReferenceCheckTests
{
    [Fact]
    public async Task A_setting_left_as_its_Key_Vault_reference_is_named_at_start_as_a_critical_error()
    {
        // What App Service leaves in an app setting whose reference it could not resolve: the reference's own text.
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["SailPoint:ClientSecret"] = "@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/sailpoint-client-secret)",
            ["RoleMining:Api:Callbacks:Targets:Nightly:ClientSecret"] = " @microsoft.keyvault(VaultName=kv;SecretName=callback)",
            ["SailPoint:ClientId"] = "client-id",
            ["RoleMining:Api:Note"] = "see @Microsoft.KeyVault( in the docs",
        }).Build();
        var logs = new FakeLogCollector();
        var check = new UnresolvedKeyVaultReferenceCheck(configuration, new FakeLogger<UnresolvedKeyVaultReferenceCheck>(logs));

        await check.StartAsync(CancellationToken.None);

        Assert.Equal(["RoleMining__Api__Callbacks__Targets__Nightly__ClientSecret", "SailPoint__ClientSecret"], check.FindUnresolved());
        var records = logs.GetSnapshot();
        Assert.Equal(2, records.Count);
        Assert.All(records, record => Assert.Equal(LogLevel.Critical, record.Level));
        Assert.Contains(records, record => record.Message.StartsWith("App setting SailPoint__ClientSecret is still a Key Vault reference", StringComparison.Ordinal));
    }

    [Fact]
    public void The_Functions_app_runs_the_check_at_start()
    {
        var services = new ServiceCollection();
        services.AddRoleMiningFunctions(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true",
        }).Build());

        Assert.Contains(services, descriptor => descriptor.ServiceType == typeof(IHostedService) && descriptor.ImplementationType == typeof(UnresolvedKeyVaultReferenceCheck));
    }

    [Fact]
    public void The_Functions_app_starts_with_a_callback_url_left_as_its_Key_Vault_reference()
    {
        // Refusing it would stop every export, not only the callback (rolemining serve, which resolves nothing, refuses it).
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true",
            ["RoleMining:Api:PublicBaseUrl"] = "https://func-rolemining.azurewebsites.net",
            ["RoleMining:Api:Callbacks:SailPointWorkflow:Url"] = "@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/callback-url)",
        }).Build();
        using var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddRoleMiningFunctions(configuration).BuildServiceProvider();

        var options = services.GetRequiredService<IOptions<RoleMiningApiOptions>>().Value;

        Assert.True(options.Callbacks["SailPointWorkflow"].UrlIsUnresolvedKeyVaultReference);
    }
}
