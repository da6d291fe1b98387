using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace RoleMining.Exports.Tests.Configuration;

public sealed class ExportWorkflowOptionsTests : IDisposable
{
    private readonly TemporaryDirectory _root = new();

    [Fact]
    public void The_defaults_are_valid()
    {
        using var provider = Build(_ => { });

        var options = provider.GetRequiredService<IOptions<ExportWorkflowOptions>>().Value;

        Assert.Equal(["identities.csv", "entitlements.csv"], options.Archive.EffectiveExpectedEntries);
        Assert.Equal(Path.Combine(_root.Path, ".jobs"), options.FileSystem.EffectiveJobRoot);
    }

    [Theory]
    [InlineData("/data/exports", null, true)]
    [InlineData("/data/exports", "/data/exports/.jobs/blob/acct_container", true)]
    [InlineData("/data/exports/", "/data/exports/jobs", true)]
    [InlineData("/data/exports", "/data/jobs", false)]
    [InlineData("/data/exports", "/data/exports-jobs", false)]
    [InlineData("/data/exports", "/data/exports", false)]
    public void The_job_folder_counts_as_within_the_artifact_folder_only_below_it(string artifactRoot, string? jobRoot, bool within) =>
        Assert.Equal(within, new ExportFileSystemOptions { ArtifactRoot = artifactRoot, JobRoot = jobRoot }.JobRootWithinArtifactRoot);

    [Theory]
    [InlineData("Polling:InitialDelay", "00:05:00", "InitialDelay must not exceed")]
    [InlineData("Polling:MaxDelay", "3.00:00:00", "MaxDelay must not exceed")]
    [InlineData("Polling:JitterRatio", "1.5", "JitterRatio")]
    [InlineData("MaxAttempts", "0", "MaxAttempts")]
    [InlineData("LeaseDuration", "00:00:00", "LeaseDuration")]
    [InlineData("RetryBaseDelay", "00:30:00", "RetryBaseDelay must not exceed")]
    [InlineData("Archive:MaxEntryBytes", "99999999999", "MaxEntryBytes must not exceed")]
    [InlineData("Archive:MaxCompressionRatio", "0", "MaxCompressionRatio")]
    [InlineData("Archive:ExpectedEntries:0", "../identities.csv", "is not a plain file name")]
    [InlineData("Archive:ExpectedEntries:0", "manifest.json", "clashes")]
    [InlineData("FileSystem:ArtifactRoot", "", "ArtifactRoot is required")]
    public void An_invalid_setting_fails_at_start_up_naming_it(string key, string value, string expectedMessage)
    {
        using var provider = Build(configuration => configuration[key] = value);

        var exception = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<ExportWorkflowOptions>>().Value);

        Assert.Contains(expectedMessage, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Configured_expected_entries_replace_the_defaults_instead_of_adding_to_them()
    {
        using var provider = Build(configuration =>
        {
            configuration["Archive:ExpectedEntries:0"] = "users.csv";
            configuration["Archive:ExpectedEntries:1"] = "access.csv";
        });

        var options = provider.GetRequiredService<IOptions<ExportWorkflowOptions>>().Value;

        Assert.Equal(["users.csv", "access.csv"], options.Archive.EffectiveExpectedEntries);
    }

    [Fact]
    public void Messages_name_a_setting_under_the_section_the_host_read_it_from()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["RoleMining:Exports:FileSystem:ArtifactRoot"] = _root.Path,
            ["RoleMining:Exports:Archive:MaxEntryBytes"] = "10",
            ["RoleMining:Exports:SettingsSection"] = "Elsewhere", // not a setting: a configuration cannot change it
        }).Build();
        var services = new ServiceCollection();
        services.AddRoleMiningExports(configuration.GetSection("RoleMining:Exports"));
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<ExportWorkflowOptions>>().Value;
        var tooLarge = Assert.Throws<InvalidExportArchiveException>(() => new ArchiveEntryRules(options.Archive).CheckEntrySize("identities.csv", 11));

        Assert.Equal("RoleMining:Exports", options.SettingsSection);
        Assert.Equal("RoleMining:Exports:Polling:TotalWait", options.Setting("Polling:TotalWait"));
        Assert.Contains("(RoleMining:Exports:Archive:MaxEntryBytes)", tooLarge.Message, StringComparison.Ordinal);
        using var functionsApp = Build(_ => { });
        Assert.Equal("Exports", functionsApp.GetRequiredService<IOptions<ExportWorkflowOptions>>().Value.SettingsSection);
    }

    [Fact]
    public void The_registration_resolves_every_public_service()
    {
        using var provider = Build(_ => { });

        Assert.NotNull(provider.GetRequiredService<ExportWorkflow>());
        Assert.NotNull(provider.GetRequiredService<ExportJobService>());
        Assert.NotNull(provider.GetRequiredService<ExportSweepPlanner>());
        Assert.NotNull(provider.GetRequiredService<ExportArtifactCatalog>());
        Assert.NotNull(provider.GetRequiredService<InProcessExportRunner>());
        Assert.Same(provider.GetRequiredService<InProcessExportQueue>(), provider.GetRequiredService<IExportQueue>());
        Assert.Equal(Enum.GetValues<ExportStep>().Length, provider.GetServices<IExportStep>().Select(step => step.HandledStep).Distinct().Count());
        Assert.IsType<UnconfiguredExportCallbackSender>(provider.GetRequiredService<IExportCallbackSender>());
    }

    [Fact]
    public void Queue_names_are_one_per_step_and_valid_for_Azure_Queue_Storage()
    {
        var names = Enum.GetValues<ExportStep>().Select(ExportQueueNames.For).ToList();

        Assert.Equal(names.Count, names.Distinct().Count());
        Assert.Equal(ExportQueueNames.All, names);
        Assert.All(names.Concat(Enum.GetValues<ExportStep>().Select(ExportQueueNames.PoisonFor)),
            name => Assert.Matches("^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$", name));
    }

    public void Dispose() => _root.Dispose();

    private ServiceProvider Build(Action<Dictionary<string, string?>> configure)
    {
        var values = new Dictionary<string, string?> { ["FileSystem:ArtifactRoot"] = _root.Path };
        configure(values);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddSailPointRoleMining(options =>
        {
            options.BaseUrl = new Uri("http://127.0.0.1:9");
            options.ClientId = "id";
            options.ClientSecret = "secret";
        });
        services.AddRoleMiningExports(configuration).UseFileSystemStores().UseInProcessQueue();
        return services.BuildServiceProvider();
    }
}
