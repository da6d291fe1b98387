using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using RoleMining.Api;
using RoleMining.Api.Authentication;
using RoleMining.Api.Callbacks;
using RoleMining.Api.Exports;
using RoleMining.Exports;
using RoleMining.Api.Routing;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the role-mining HTTP API handlers.</summary>
public static class RoleMiningApiServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="RoleMiningApiHandlers"/> with <see cref="RoleMiningApiOptions"/> bound from
    /// <paramref name="configurationSectionPath"/> (default <c>RoleMining:Api</c>) and validated at start-up. The host also
    /// registers the SailPoint client (<c>AddSailPointRoleMining</c>) and the export workflow (<c>AddRoleMiningExports</c>:
    /// <c>ExportJobService</c> and an <c>IExportArtifactStore</c>).
    /// </summary>
    public static IServiceCollection AddRoleMiningApi(this IServiceCollection services, string configurationSectionPath = RoleMiningApiOptions.SectionName)
    {
        ArgumentNullException.ThrowIfNull(services);
        return AddCore(services, services.AddOptions<RoleMiningApiOptions>().BindConfiguration(configurationSectionPath));
    }

    /// <summary>Registers the handlers with options bound from <paramref name="configuration"/>.</summary>
    public static IServiceCollection AddRoleMiningApi(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        return AddCore(services, services.AddOptions<RoleMiningApiOptions>().Bind(configuration));
    }

    /// <summary>Registers the handlers with options set by <paramref name="configure"/>.</summary>
    public static IServiceCollection AddRoleMiningApi(this IServiceCollection services, Action<RoleMiningApiOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        return AddCore(services, services.AddOptions<RoleMiningApiOptions>().Configure(configure));
    }

    private static IServiceCollection AddCore(IServiceCollection services, OptionsBuilder<RoleMiningApiOptions> options)
    {
        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RoleMiningApiOptions>, RoleMiningApiOptionsAttributesValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RoleMiningApiOptions>, RoleMiningApiOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddLogging();

        // Problem documents for what the handlers never see (an unknown path, a wrong method) in hosts that use
        // UseStatusCodePages; the handlers build their own.
        services.AddProblemDetails();
        services.TryAddSingleton<ExportRepresentation>();
        services.TryAddSingleton<SessionHandlers>();
        services.TryAddSingleton<ExportRequestHandlers>();
        services.TryAddSingleton<ExportStatusHandlers>();
        services.TryAddSingleton<RoleMiningApiHandlers>();

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RoleMiningApiOptions>, ApiAuthenticationOptionsValidator>());
        services.AddHttpClient(EntraTokenValidator.HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(30));
        services.TryAddSingleton<EntraTokenValidator>();
        services.TryAddSingleton<ApiAuthenticator>();
        services.TryAddSingleton<ApiRouteDispatcher>();

        // Completion callbacks go out over HTTP from hosts of the API (the workflow's default sender refuses them).
        // No redirect is followed: a 307 or 308 would send the token request's client secret, or the envelope, to a URL
        // the operator never configured (CallbackTargetOptions checks only the configured ones).
        services.AddHttpClient(HttpExportCallbackSender.HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(30))
            .UseSocketsHttpHandler((handler, _) => handler.AllowAutoRedirect = false);
        services.TryAddSingleton<HttpExportCallbackSender>();
        services.Replace(ServiceDescriptor.Singleton<IExportCallbackSender>(provider => provider.GetRequiredService<HttpExportCallbackSender>()));
        return services;
    }

    /// <summary>
    /// Declares that the host's platform resolves Key Vault references in its settings (App Service, for the Azure
    /// Functions app): a callback URL still in that form is then one it could not resolve yet, which the app starts with
    /// (its callbacks fail, and are retried, saying so) instead of refusing to start and stopping every export. Without
    /// it (<c>rolemining serve</c>) nothing resolves a reference, and one is refused at start.
    /// </summary>
    public static IServiceCollection AcceptPlatformKeyVaultReferences(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton<PlatformKeyVaultReferences>();
        return services;
    }

    /// <summary>
    /// Makes the API refuse every request (503) while <c>RoleMining:Api:Authentication</c> configures no way in, and say so
    /// at start: the Azure Functions app, reachable from the internet, never serves an unauthenticated request. The host
    /// still starts, so that its timers and queues run.
    /// </summary>
    public static IServiceCollection RequireRoleMiningApiAuthentication(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton<ApiAuthenticationRequirement>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ApiAuthenticationStartupCheck>());
        return services;
    }
}
