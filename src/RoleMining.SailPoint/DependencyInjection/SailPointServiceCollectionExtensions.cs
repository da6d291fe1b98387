using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RoleMining.SailPoint;
using RoleMining.SailPoint.Authentication;
using RoleMining.SailPoint.Diagnostics;
using RoleMining.SailPoint.Http;
using RoleMining.SailPoint.RateLimiting;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the SailPoint role-mining client.</summary>
public static class SailPointServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IRoleMiningClient"/> with options bound from the configuration section
    /// <paramref name="configurationSectionPath"/> (default <c>SailPoint</c>), the <c>SAIL_*</c> environment variables
    /// as fallback, and validation at start-up.
    /// </summary>
    public static IServiceCollection AddSailPointRoleMining(this IServiceCollection services, string configurationSectionPath = RoleMiningClientOptions.SectionName)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configurationSectionPath);
        services.AddSingleton<IOptionsChangeTokenSource<RoleMiningClientOptions>>(provider =>
            new ConfigurationChangeTokenSource<RoleMiningClientOptions>(provider.GetRequiredService<IConfiguration>().GetSection(configurationSectionPath)));
        return AddCore(services, services.AddOptions<RoleMiningClientOptions>()
            .Configure<IConfiguration>((options, configuration) => RoleMiningClientOptionsBinding.Bind(configuration.GetSection(configurationSectionPath), options)));
    }

    /// <summary>Registers <see cref="IRoleMiningClient"/> with options bound from <paramref name="configuration"/>.</summary>
    public static IServiceCollection AddSailPointRoleMining(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddSingleton<IOptionsChangeTokenSource<RoleMiningClientOptions>>(new ConfigurationChangeTokenSource<RoleMiningClientOptions>(configuration));
        return AddCore(services, services.AddOptions<RoleMiningClientOptions>().Configure(options => RoleMiningClientOptionsBinding.Bind(configuration, options)));
    }

    /// <summary>Registers <see cref="IRoleMiningClient"/> with options set by <paramref name="configure"/>.</summary>
    public static IServiceCollection AddSailPointRoleMining(this IServiceCollection services, Action<RoleMiningClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        return AddCore(services, services.AddOptions<RoleMiningClientOptions>().Configure(configure));
    }

    private static IServiceCollection AddCore(IServiceCollection services, OptionsBuilder<RoleMiningClientOptions> options)
    {
        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RoleMiningClientOptions>, RoleMiningClientOptionsAttributesValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RoleMiningClientOptions>, RoleMiningClientOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<RoleMiningClientOptions>, SailPointEnvironmentFallback>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddLogging();
        services.AddMetrics();
        services.TryAddSingleton(provider => new SailPointMetrics(provider.GetRequiredService<IMeterFactory>()));

        // The pipeline owns timeouts (per attempt and total); HttpClient's own 100 s limit would cut streamed downloads.
        // An unreachable host fails after SailPoint:Timeouts:Connect rather than the operating system's TCP timeout.
        services.AddHttpClient(SailPointHttpClientNames.Api, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .UseSocketsHttpHandler(ApplyConnectTimeout)
            .RedactLoggedHeaders(_ => true);
        // The token request is bounded by SailPoint:Timeouts:Attempt (SailPointTokenProvider), as every API attempt is.
        // It follows no redirect: its body holds the client secret, which a 307 or 308 would send on to another host
        // (HttpClient drops only the Authorization header when it follows one).
        services.AddHttpClient(SailPointHttpClientNames.Token, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .UseSocketsHttpHandler((handler, provider) =>
            {
                ApplyConnectTimeout(handler, provider);
                handler.AllowAutoRedirect = false;
            })
            .RedactLoggedHeaders(_ => true);

        // One budget per container: the shared one when a store is registered (every instance of a Function App), else
        // this process's own. A singleton, so that every client of the container draws on the same budget.
        services.TryAddSingleton(provider => new SailPointRateLimiterHolder(SailPointRateLimiters.Create(
            provider.GetRequiredService<IOptions<RoleMiningClientOptions>>().Value,
            provider.GetService<ISailPointRateBudgetStore>(),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILoggerFactory>())));
        services.TryAddSingleton(provider =>
        {
            var factory = provider.GetRequiredService<IHttpClientFactory>();
            return new SailPointTransport(
                provider.GetRequiredService<IOptions<RoleMiningClientOptions>>().Value,
                () => factory.CreateClient(SailPointHttpClientNames.Api),
                () => TokenClient(provider.GetRequiredService<IHttpMessageHandlerFactory>()),
                provider.GetRequiredService<TimeProvider>(),
                provider.GetRequiredService<ILoggerFactory>(),
                provider.GetRequiredService<SailPointRateLimiterHolder>().Limiter,
                provider.GetRequiredService<SailPointMetrics>());
        });
        services.TryAddSingleton(provider => new RoleMiningClient(provider.GetRequiredService<SailPointTransport>()));
        services.TryAddSingleton<IRoleMiningClient>(provider => provider.GetRequiredService<RoleMiningClient>());
        return services;
    }

    /// <summary>
    /// The token client, from the handler pipeline rather than <see cref="IHttpClientFactory.CreateClient(string)"/>, so
    /// that a primary handler a caller configured for <see cref="SailPointHttpClientNames.Token"/> (a proxy) is checked:
    /// one that follows redirects would send the client secret on, and the request is refused before it is sent.
    /// </summary>
    private static HttpClient TokenClient(IHttpMessageHandlerFactory handlers)
    {
        var handler = handlers.CreateHandler(SailPointHttpClientNames.Token);
        if (TokenRedirects.AreFollowedBy(handler))
        {
            throw new InvalidOperationException(TokenRedirects.Problem($"The primary handler configured for the HTTP client '{SailPointHttpClientNames.Token}'"));
        }

        // The factory owns the handler's lifetime, as it does for a client it creates.
        return new HttpClient(handler, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };
    }

    private static void ApplyConnectTimeout(SocketsHttpHandler handler, IServiceProvider provider) =>
        handler.ConnectTimeout = provider.GetRequiredService<IOptions<RoleMiningClientOptions>>().Value.Timeouts.Connect;
}
