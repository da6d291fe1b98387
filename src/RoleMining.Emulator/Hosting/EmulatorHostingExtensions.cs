using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using RoleMining.Emulator.Api;
using RoleMining.Emulator.Api.Contracts;
using RoleMining.Emulator.Auth;
using RoleMining.Emulator.Diagnostics;
using RoleMining.Emulator.Exports;
using RoleMining.Emulator.Faults;
using RoleMining.Emulator.RateLimiting;

namespace RoleMining.Emulator;

/// <summary>Registration of the emulator in any ASP.NET Core host (its own Program, <see cref="EmulatorServer"/>, the CLI).</summary>
public static class EmulatorHostingExtensions
{
    /// <summary>Adds the emulator's services with options bound from the <c>Emulator</c> section of <paramref name="configuration"/>.</summary>
    public static IServiceCollection AddRoleMiningEmulator(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        // A key nothing reads (a typo, a switch written as a key) is an error, not a setting silently without effect.
        return services.AddRoleMiningEmulator(options => configuration.GetSection(EmulatorOptions.SectionName).Bind(options, binder => binder.ErrorOnUnknownConfiguration = true));
    }

    /// <summary>Adds the emulator's services with options set by <paramref name="configure"/>. Options are validated at start.</summary>
    public static IServiceCollection AddRoleMiningEmulator(this IServiceCollection services, Action<EmulatorOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<EmulatorOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EmulatorOptions>, EmulatorOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<EmulatorStatistics>();
        services.TryAddSingleton(provider => new EmulatorTenant(provider.GetRequiredService<IOptions<EmulatorOptions>>().Value.Tenant));
        services.TryAddSingleton<FaultDecider>();
        services.TryAddSingleton<TokenStore>();
        services.TryAddSingleton<ExportStore>();
        services.TryAddSingleton<ClientRateLimiter>();
        services.TryAddSingleton<EmulatorServices>();
        services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, EmulatorJsonContext.Default));
        return services;
    }

    /// <summary>Adds the emulator's middleware (request log and statistics, bearer tokens, rate limit, experimental
    /// header, faults). Call before <see cref="MapRoleMiningEmulator"/>; it calls <c>UseRouting</c> itself.</summary>
    public static IApplicationBuilder UseRoleMiningEmulator(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseMiddleware<RequestTrackingMiddleware>();
        app.UseRouting();
        app.UseMiddleware<OperationStatisticsMiddleware>();
        app.UseMiddleware<BearerTokenMiddleware>();
        app.UseMiddleware<RateLimitMiddleware>();
        app.UseMiddleware<UnmatchedRouteMiddleware>();
        app.UseMiddleware<ExperimentalHeaderMiddleware>();
        app.UseMiddleware<FaultInjectionMiddleware>();
        return app;
    }

    /// <summary>Maps <c>POST /oauth/token</c> and every emulated operation under every base path.</summary>
    public static IEndpointRouteBuilder MapRoleMiningEmulator(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        EndpointRegistration.Map(endpoints);
        return endpoints;
    }
}
