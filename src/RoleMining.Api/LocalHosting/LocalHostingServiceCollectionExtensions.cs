using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RoleMining.Exports;

namespace RoleMining.Api.LocalHosting;

/// <summary>
/// Registers what a single-process host of the API needs besides the handlers: the in-process export runner and,
/// optionally, the scheduled sweep. The host registers the workflow with <c>AddRoleMiningExports(...).UseFileSystemStores()
/// .UseInProcessQueue()</c>.
/// </summary>
public static class LocalHostingServiceCollectionExtensions
{
    /// <summary>Runs the in-process export queue while the host runs (<see cref="ExportRunnerService"/>).</summary>
    public static IServiceCollection AddRoleMiningExportRunner(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddHostedService<ExportRunnerService>();
        return services;
    }

    /// <summary>
    /// Runs the export sweep on <paramref name="schedule"/> (<see cref="ScheduledSweepService"/>), selecting sessions with
    /// <paramref name="selection"/> at each occurrence.
    /// </summary>
    public static IServiceCollection AddRoleMiningSweepSchedule(this IServiceCollection services, SweepSchedule schedule, Func<IServiceProvider, ExportSweepSelection> selection)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentNullException.ThrowIfNull(selection);
        services.AddSingleton(provider => new ScheduledSweepService(
            schedule,
            () => selection(provider),
            provider.GetRequiredService<ExportSweepPlanner>(),
            provider.GetRequiredService<ExportJobService>(),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILogger<ScheduledSweepService>>()));
        services.AddHostedService(provider => provider.GetRequiredService<ScheduledSweepService>());
        return services;
    }
}
