using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RoleMining.Exports;

namespace RoleMining.Cli.Serve;

/// <summary>
/// Registers what <c>rolemining serve</c> runs besides the API: the in-process export runner and, optionally, the
/// scheduled sweep. The host registers the workflow as the export commands do (<c>ExportSession.Services</c>: filesystem
/// stores, in-process queue, <see cref="ExportSweepOptions"/>).
/// </summary>
internal static class ServeHostingServiceCollectionExtensions
{
    /// <summary>Runs the in-process export queue while the host runs (<see cref="ExportRunnerService"/>).</summary>
    public static IServiceCollection AddRoleMiningExportRunner(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddHostedService<ExportRunnerService>();
        return services;
    }

    /// <summary>
    /// Runs the export sweep on <paramref name="schedule"/> (<see cref="ScheduledSweepService"/>), selecting sessions by
    /// <see cref="ExportSweepOptions"/> (<c>RoleMining:Sweep</c>, as <c>rolemining sweep</c> and the Functions timer do).
    /// </summary>
    public static IServiceCollection AddRoleMiningSweepSchedule(this IServiceCollection services, SweepSchedule schedule)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(schedule);
        services.AddSingleton(provider =>
        {
            var sweep = provider.GetRequiredService<IOptions<ExportSweepOptions>>();
            return new ScheduledSweepService(
                schedule,
                () => sweep.Value.ToSelection(),
                provider.GetRequiredService<ExportSweepPlanner>(),
                provider.GetRequiredService<ExportJobService>(),
                provider.GetRequiredService<TimeProvider>(),
                provider.GetRequiredService<ILogger<ScheduledSweepService>>());
        });
        services.AddHostedService(provider => provider.GetRequiredService<ScheduledSweepService>());
        return services;
    }
}
