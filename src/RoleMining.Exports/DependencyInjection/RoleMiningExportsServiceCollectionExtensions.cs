using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RoleMining.Exports;
using RoleMining.Exports.Storage.FileSystem;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the export workflow.</summary>
public static class RoleMiningExportsServiceCollectionExtensions
{
    /// <summary>
    /// Registers the workflow (steps, <see cref="ExportWorkflow"/>, <see cref="ExportJobService"/>,
    /// <see cref="ExportSweepPlanner"/>) with options bound from the configuration section
    /// <paramref name="configurationSectionPath"/> and validated at start-up. Stores and queue come from the returned
    /// builder (filesystem, in-process) or from the host (Azure adapters); <see cref="RoleMining.SailPoint.IRoleMiningClient"/>
    /// from <c>AddSailPointRoleMining</c>.
    /// </summary>
    public static RoleMiningExportsBuilder AddRoleMiningExports(this IServiceCollection services, string configurationSectionPath = ExportWorkflowOptions.SectionName)
    {
        ArgumentNullException.ThrowIfNull(services);
        return AddCore(services, services.AddOptions<ExportWorkflowOptions>().BindConfiguration(configurationSectionPath), configurationSectionPath);
    }

    /// <summary>Registers the workflow with options bound from <paramref name="configuration"/>.</summary>
    public static RoleMiningExportsBuilder AddRoleMiningExports(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        return AddCore(services, services.AddOptions<ExportWorkflowOptions>().Bind(configuration), (configuration as IConfigurationSection)?.Path ?? ExportWorkflowOptions.SectionName);
    }

    /// <summary>Registers the workflow with options set by <paramref name="configure"/>.</summary>
    public static RoleMiningExportsBuilder AddRoleMiningExports(this IServiceCollection services, Action<ExportWorkflowOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        return AddCore(services, services.AddOptions<ExportWorkflowOptions>().Configure(configure), ExportWorkflowOptions.SectionName);
    }

    /// <summary>
    /// Registers <see cref="ExportSweepOptions"/> bound from <paramref name="section"/> (the <c>RoleMining:Sweep</c> section
    /// of every host: <see cref="ExportSweepOptions.SectionName"/>), the session ids in either configuration form
    /// (<see cref="DelimitedListAttribute"/>), and validated at start-up (<see cref="ExportSweepOptionsValidator"/>).
    /// </summary>
    public static OptionsBuilder<ExportSweepOptions> AddExportSweepOptions(this IServiceCollection services, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(section);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ExportSweepOptions>, ExportSweepOptionsValidator>());
        return services.AddOptions<ExportSweepOptions>()
            .Configure(options =>
            {
                section.Bind(options);
                DelimitedListAttribute.AddSingleValueItems(section, options);
            })
            .ValidateOnStart();
    }

    private static RoleMiningExportsBuilder AddCore(IServiceCollection services, OptionsBuilder<ExportWorkflowOptions> options, string settingsSection)
    {
        options.ValidateOnStart();
        options.PostConfigure(configured =>
        {
            configured.SettingsSection = settingsSection;
            configured.Archive.SettingsSection = settingsSection + ":Archive";
        });
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ExportWorkflowOptions>, ExportWorkflowOptionsAttributesValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ExportWorkflowOptions>, ExportWorkflowOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddLogging();
        services.AddMetrics();
        services.TryAddSingleton(provider => new ExportsMetrics(provider.GetRequiredService<IMeterFactory>()));

        services.TryAddSingleton<StartExportStep>();
        services.TryAddSingleton<PollExportStep>();
        services.TryAddSingleton<DownloadExportStep>();
        services.TryAddSingleton<CallbackExportStep>();
        services.TryAddSingleton<IExportCallbackSender, UnconfiguredExportCallbackSender>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IExportStep, StartExportStep>(provider => provider.GetRequiredService<StartExportStep>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IExportStep, PollExportStep>(provider => provider.GetRequiredService<PollExportStep>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IExportStep, DownloadExportStep>(provider => provider.GetRequiredService<DownloadExportStep>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IExportStep, CallbackExportStep>(provider => provider.GetRequiredService<CallbackExportStep>()));
        services.TryAddSingleton<ExportWorkflow>();
        services.TryAddSingleton<ExportJobService>();
        services.TryAddSingleton<ExportSweepPlanner>();
        services.TryAddSingleton<ExportSweep>();
        services.TryAddSingleton<ExportArtifactCatalog>();
        return new RoleMiningExportsBuilder(services);
    }
}

/// <summary>Chooses the stores and the queue of the export workflow.</summary>
public sealed class RoleMiningExportsBuilder
{
    internal RoleMiningExportsBuilder(IServiceCollection services) => Services = services;

    /// <summary>The service collection.</summary>
    public IServiceCollection Services { get; }

    /// <summary>
    /// Job documents and artifacts in folders (<see cref="ExportWorkflowOptions.FileSystem"/>; the artifact root is then
    /// required). <paramref name="jobIdScope"/>, when given, supplies the job store's scope when the store is created
    /// (instead of <see cref="ExportFileSystemOptions.JobIdScope"/>): for a scope kept in a file of the job folder, which
    /// must not be written while the options are only being checked.
    /// </summary>
    public RoleMiningExportsBuilder UseFileSystemStores(Func<ExportFileSystemOptions, string?>? jobIdScope = null)
    {
        Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ExportWorkflowOptions>, ExportFileSystemOptionsValidator>());
        Services.TryAddSingleton<IExportJobStore>(provider =>
        {
            var fileSystem = provider.GetRequiredService<IOptions<ExportWorkflowOptions>>().Value.FileSystem;
            return new FileSystemExportJobStore(
                fileSystem.EffectiveJobRoot!,
                provider.GetRequiredService<ILogger<FileSystemExportJobStore>>(),
                fileSystem.Access,
                jobIdScope is null ? fileSystem.JobIdScope : jobIdScope(fileSystem));
        });
        Services.TryAddSingleton<IExportArtifactStore>(provider => new FileSystemExportArtifactStore(
            provider.GetRequiredService<IOptions<ExportWorkflowOptions>>().Value.FileSystem.ArtifactRoot!,
            provider.GetRequiredService<IOptions<ExportWorkflowOptions>>().Value.FileSystem.Access));
        return this;
    }

    /// <summary>The in-memory queue and its runner (<see cref="InProcessExportRunner"/>), for the command line.</summary>
    public RoleMiningExportsBuilder UseInProcessQueue()
    {
        Services.TryAddSingleton(provider => new InProcessExportQueue(provider.GetRequiredService<TimeProvider>()));
        Services.TryAddSingleton<IExportQueue>(provider => provider.GetRequiredService<InProcessExportQueue>());
        Services.TryAddSingleton<InProcessExportRunner>();
        return this;
    }
}
