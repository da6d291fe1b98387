using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace RoleMining.SailPoint.Tests.Configuration;

public sealed class RoleMiningClientOptionsTests
{
    private static readonly Dictionary<string, string?> ValidSettings = new()
    {
        ["SailPoint:BaseUrl"] = "https://acme.api.identitynow.com",
        ["SailPoint:ClientId"] = "client",
        ["SailPoint:ClientSecret"] = "secret-value",
    };

    [Theory]
    [InlineData("https://acme.api.identitynow.com")]
    [InlineData("http://127.0.0.1:5080/")]
    [InlineData("http://localhost:5080")]
    [InlineData("http://[::1]:5080")]
    public void Https_and_loopback_http_are_accepted(string baseUrl)
    {
        var options = Valid();
        options.BaseUrl = new Uri(baseUrl);

        Assert.True(new RoleMiningClientOptionsValidator().Validate(null, options).Succeeded);
    }

    [Theory]
    [InlineData("http://acme.api.identitynow.com")]
    [InlineData("http://10.0.0.5:5080")]
    [InlineData("ftp://acme.api.identitynow.com")]
    [InlineData("https://user:pass@acme.api.identitynow.com")]
    public void Plain_http_to_another_machine_and_other_schemes_are_rejected(string baseUrl)
    {
        var options = Valid();
        options.BaseUrl = new Uri(baseUrl);

        var result = new RoleMiningClientOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("BaseUrl", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_secret_is_rejected_by_name()
    {
        var options = Valid();
        options.ClientSecret = " ";

        var result = new RoleMiningClientOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("ClientSecret", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("v2024", RoleMiningApiVersion.V2024)]
    [InlineData("v2025", RoleMiningApiVersion.V2025)]
    [InlineData("V2026", RoleMiningApiVersion.V2026)]
    [InlineData("beta", RoleMiningApiVersion.Beta)]
    [InlineData("v1", RoleMiningApiVersion.V1)]
    public void Versions_are_configured_as_ISC_writes_them(string written, RoleMiningApiVersion expected)
    {
        using var provider = Provider(new Dictionary<string, string?>(ValidSettings) { ["SailPoint:ApiVersion"] = written }, environment: null);

        provider.GetRequiredService<IStartupValidator>().Validate();

        Assert.Equal(expected, provider.GetRequiredService<IOptions<RoleMiningClientOptions>>().Value.ApiVersion);
    }

    [Theory]
    [InlineData("v3")]
    [InlineData("latest")]
    [InlineData("2024")]
    [InlineData("1")]
    [InlineData("v2024,beta")]
    public void Anything_but_a_version_as_ISC_writes_it_is_rejected_with_the_versions_there_are(string written)
    {
        using var provider = Provider(new Dictionary<string, string?>(ValidSettings) { ["SailPoint:ApiVersion"] = written }, environment: null);

        var failure = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("SailPoint:ApiVersion must be one of v2024, v2025, v2026, beta, v1.", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Budgets_outside_what_the_pipeline_accepts_are_rejected()
    {
        var options = Valid();
        options.RateLimit.PermitLimit = 0;
        options.Timeouts.Attempt = TimeSpan.Zero;
        options.Timeouts.DownloadIdle = TimeSpan.Zero;
        options.CircuitBreaker.FailureRatio = 2;

        var failures = new RoleMiningClientOptionsValidator().Validate(null, options).Failures!.ToList();

        Assert.Contains(failures, failure => failure.Contains("PermitLimit", StringComparison.Ordinal));
        Assert.Contains(failures, failure => failure.Contains("Timeouts:Attempt", StringComparison.Ordinal));
        Assert.Contains(failures, failure => failure.Contains("Timeouts:DownloadIdle", StringComparison.Ordinal));
        Assert.Contains(failures, failure => failure.Contains("FailureRatio", StringComparison.Ordinal));
    }

    [Fact]
    public void Registration_validates_at_start_up()
    {
        var settings = new Dictionary<string, string?>(ValidSettings) { ["SailPoint:BaseUrl"] = "http://acme.api.identitynow.com" };
        using var provider = Provider(settings, environment: null);

        var startup = provider.GetRequiredService<IStartupValidator>();

        var failure = Assert.Throws<OptionsValidationException>(startup.Validate);
        Assert.Contains("BaseUrl", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Registration_binds_the_section_including_nested_budgets()
    {
        var settings = new Dictionary<string, string?>(ValidSettings)
        {
            ["SailPoint:ApiVersion"] = "beta",
            ["SailPoint:RateLimit:PermitLimit"] = "40",
            ["SailPoint:Retry:MaxRetryAttempts"] = "2",
            ["SailPoint:Timeouts:Attempt"] = "00:00:05",
        };
        using var provider = Provider(settings, environment: null);

        var options = provider.GetRequiredService<IOptions<RoleMiningClientOptions>>().Value;

        Assert.Equal(RoleMiningApiVersion.Beta, options.ApiVersion);
        Assert.Equal(40, options.RateLimit.PermitLimit);
        Assert.Equal(2, options.Retry.MaxRetryAttempts);
        Assert.Equal(TimeSpan.FromSeconds(5), options.Timeouts.Attempt);
        Assert.IsType<RoleMiningClient>(provider.GetRequiredService<IRoleMiningClient>());
    }

    [Fact]
    public void Sail_environment_variables_fill_what_configuration_leaves_out()
    {
        var environment = new Dictionary<string, string?>
        {
            ["SAIL_BASE_URL"] = "https://fromenv.api.identitynow.com",
            ["SAIL_CLIENT_ID"] = "env-client",
            ["SAIL_CLIENT_SECRET"] = "env-secret",
        };
        using var provider = Provider(new Dictionary<string, string?>(), environment);

        var options = provider.GetRequiredService<IOptions<RoleMiningClientOptions>>().Value;

        Assert.Equal(new Uri("https://fromenv.api.identitynow.com"), options.BaseUrl);
        Assert.Equal("env-client", options.ClientId);
        Assert.Equal("env-secret", options.ClientSecret);
    }

    [Fact]
    public void An_explicit_configuration_value_wins_over_the_environment()
    {
        var environment = new Dictionary<string, string?>
        {
            ["SAIL_BASE_URL"] = "https://fromenv.api.identitynow.com",
            ["SAIL_CLIENT_ID"] = "env-client",
            ["SAIL_CLIENT_SECRET"] = "env-secret",
        };
        using var provider = Provider(ValidSettings, environment);

        var options = provider.GetRequiredService<IOptions<RoleMiningClientOptions>>().Value;

        Assert.Equal(new Uri("https://acme.api.identitynow.com"), options.BaseUrl);
        Assert.Equal("client", options.ClientId);
        Assert.Equal("secret-value", options.ClientSecret);
    }

    [Fact]
    public void The_action_overload_registers_a_working_client()
    {
        var services = new ServiceCollection();
        services.AddSailPointRoleMining(options =>
        {
            options.BaseUrl = new Uri("http://127.0.0.1:5080");
            options.ClientId = "client";
            options.ClientSecret = "secret";
            options.ApiVersion = RoleMiningApiVersion.V1;
        });
        using var provider = services.BuildServiceProvider();

        var client = Assert.IsType<RoleMiningClient>(provider.GetRequiredService<IRoleMiningClient>());

        Assert.Equal(RoleMiningApiVersion.V1, client.ApiVersion);
        Assert.Same(client, provider.GetRequiredService<IRoleMiningClient>());
    }

    [Fact]
    public void ToString_never_shows_the_secret()
    {
        var options = Valid();

        Assert.DoesNotContain("secret-value", options.ToString(), StringComparison.Ordinal);
        Assert.Contains("client", options.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://acme.api.identitynow.com/v2024")]
    [InlineData("https://acme.api.identitynow.com/v3/")]
    [InlineData("http://127.0.0.1:5080/beta")]
    [InlineData("https://acme.api.identitynow.com/oauth/token")]
    public void A_base_url_with_a_path_is_rejected_naming_the_base_url_rule(string baseUrl)
    {
        var options = Valid();
        options.BaseUrl = new Uri(baseUrl);

        var result = new RoleMiningClientOptionsValidator().Validate(null, options);

        var failure = Assert.Single(result.Failures!);
        Assert.Contains("SailPoint:BaseUrl", failure, StringComparison.Ordinal);
        Assert.Contains("must be the tenant's API root, without an API version or API path", failure, StringComparison.Ordinal);
        Assert.Contains("SailPoint:ApiVersion", failure, StringComparison.Ordinal);
    }

    private static RoleMiningClientOptions Valid() => new()
    {
        BaseUrl = new Uri("https://acme.api.identitynow.com"),
        ClientId = "client",
        ClientSecret = "secret-value",
    };

    private static ServiceProvider Provider(Dictionary<string, string?> settings, Dictionary<string, string?>? environment)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddSailPointRoleMining(configuration.GetSection(RoleMiningClientOptions.SectionName));

        // Replace the process-environment fallback with a fixed one, so the test does not depend on the machine.
        services.AddSingleton<IPostConfigureOptions<RoleMiningClientOptions>>(
            new SailPointEnvironmentFallback(name => environment is not null && environment.TryGetValue(name, out var value) ? value : null));
        services.RemoveAll<IPostConfigureOptions<RoleMiningClientOptions>>(descriptor => descriptor.ImplementationType == typeof(SailPointEnvironmentFallback));
        return services.BuildServiceProvider();
    }
}

internal static class ServiceCollectionTestExtensions
{
    public static void RemoveAll<T>(this IServiceCollection services, Func<ServiceDescriptor, bool> predicate)
    {
        foreach (var descriptor in services.Where(descriptor => descriptor.ServiceType == typeof(T) && predicate(descriptor)).ToList())
        {
            services.Remove(descriptor);
        }
    }
}
