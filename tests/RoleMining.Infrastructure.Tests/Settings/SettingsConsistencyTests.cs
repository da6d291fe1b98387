using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NCrontab;
using RoleMining.Api;
using RoleMining.Exports;
using RoleMining.Functions.Configuration;
using RoleMining.Infrastructure.Tests.Support;
using RoleMining.SailPoint;

namespace RoleMining.Infrastructure.Tests.Settings;

/// <summary>
/// Every setting the app reads is provided by the Bicep (Azure) and by local.settings.sample.json (local runs), and
/// every setting they provide is one the app reads.
/// </summary>
public sealed partial class SettingsConsistencyTests
{
    /// <summary>The options classes the Functions app binds, with their sections.</summary>
    public static TheoryData<string, Type> OptionsSections() => new()
    {
        { RoleMiningClientOptions.SectionName, typeof(RoleMiningClientOptions) },
        { ExportWorkflowOptions.SectionName, typeof(ExportWorkflowOptions) },
        { RoleMiningApiOptions.SectionName, typeof(RoleMiningApiOptions) },
        { ExportSweepOptions.SectionName, typeof(ExportSweepOptions) },
    };

    /// <summary>Settings of the app's own: the binding expressions of its triggers.</summary>
    private static readonly string[] AppKeys = [FunctionsSettings.ScheduleSetting, FunctionsSettings.ResumeScheduleSetting];

    [Theory]
    [MemberData(nameof(OptionsSections))]
    public void Required_options_are_set_in_azure_and_locally(string section, Type optionsType)
    {
        var required = OptionsKeys.Required(optionsType, section);
        var azure = AppSettings.FromBicep().Keys.Select(SettingNames.ToConfigurationKey).ToHashSet(SettingNames.Comparer);
        var local = LocalSettings.Values().Keys.Select(SettingNames.ToConfigurationKey).ToHashSet(SettingNames.Comparer);

        Assert.All(required, key =>
        {
            Assert.True(azure.Contains(key), $"{AppSettings.FunctionAppBicep} does not set {SettingNames.ToAppSettingName(key)}");
            Assert.True(local.Contains(key), $"{LocalSettings.RelativePath} does not set {SettingNames.ToAppSettingName(key)}");
        });
    }

    [Fact]
    public void SailPoint_connection_settings_are_required_by_the_options_class()
    {
        // Guards the reflection above: if it found nothing, the previous test would pass vacuously.
        var required = OptionsKeys.Required(typeof(RoleMiningClientOptions), RoleMiningClientOptions.SectionName);

        Assert.Contains("SailPoint:BaseUrl", required);
        Assert.Contains("SailPoint:ClientId", required);
        Assert.Contains("SailPoint:ClientSecret", required);
    }

    [Fact]
    public void Binding_expressions_in_the_functions_code_are_set_in_azure_and_locally()
    {
        var expressions = Repository.FilesUnder("src/RoleMining.Functions", ".cs")
            .SelectMany(path => BindingExpression().Matches(File.ReadAllText(path)).Select(match => match.Groups[1].Value))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        var azure = AppSettings.FromBicep().Keys.Select(SettingNames.ToConfigurationKey).ToHashSet(SettingNames.Comparer);
        var local = LocalSettings.Values().Keys.Select(SettingNames.ToConfigurationKey).ToHashSet(SettingNames.Comparer);

        Assert.Contains(FunctionsSettings.ScheduleSetting, expressions);
        Assert.Contains(FunctionsSettings.ResumeScheduleSetting, expressions);
        Assert.All(expressions, key =>
        {
            Assert.True(azure.Contains(key), $"%{key}% is not set in {AppSettings.FunctionAppBicep}");
            Assert.True(local.Contains(key), $"%{key}% is not set in {LocalSettings.RelativePath}");
        });
    }

    [Fact]
    public void Azure_and_local_settings_differ_only_where_documented()
    {
        var azure = AppSettings.FromBicep().Keys.Except(AppSettings.AzureOnly.Keys).Order(StringComparer.Ordinal);
        var local = LocalSettings.Values().Keys.Except(AppSettings.LocalOnly.Keys).Order(StringComparer.Ordinal);

        Assert.Equal(azure, local);
    }

    [Fact]
    public void Every_provided_setting_is_read_by_the_app_or_the_platform()
    {
        var provided = AppSettings.FromBicep().Keys.Concat(LocalSettings.Values().Keys).Distinct(StringComparer.Ordinal);
        var sections = OptionsSections().ToDictionary(row => (string)row[0], row => (Type)row[1], StringComparer.OrdinalIgnoreCase);

        Assert.All(provided, name =>
        {
            if (AppSettings.AzureOnly.ContainsKey(name) || AppSettings.LocalOnly.ContainsKey(name))
            {
                return;
            }

            var key = SettingNames.ToConfigurationKey(name);
            if (AppKeys.Contains(key, SettingNames.Comparer))
            {
                return;
            }

            var section = sections.Keys
                .Where(candidate => key.StartsWith(candidate + ":", StringComparison.OrdinalIgnoreCase))
                .OrderByDescending(candidate => candidate.Length)
                .FirstOrDefault();
            Assert.True(section is not null && OptionsKeys.Binds(sections[section], key[(section.Length + 1)..]),
                $"{name} is set but nothing reads it (a typo, or an options property that was renamed)");
        });
    }

    [Fact]
    public void Local_settings_pass_the_apps_start_up_validation()
    {
        var configuration = LocalConfiguration();
        using var provider = new ServiceCollection()
            .AddSailPointRoleMining(configuration.GetSection(RoleMiningClientOptions.SectionName))
            .AddRoleMiningApi(configuration.GetSection(RoleMiningApiOptions.SectionName))
            .RequireRoleMiningApiAuthentication()
            .BuildServiceProvider();

        var sailPoint = provider.GetRequiredService<IOptions<RoleMiningClientOptions>>().Value;

        // Without a way in the app answers every request with 503; locally the way in is the documented development key.
        var api = provider.GetRequiredService<IOptions<RoleMiningApiOptions>>().Value;
        Assert.Equal(
            Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("local-development-key"u8)),
            Assert.Single(api.Authentication.ConfiguredApiKeys).Value);
        var storage = StorageConnection.FromConfiguration(configuration);

        // Out of the box the app talks to the emulator (README) and to Azurite.
        Assert.Equal(new Uri("http://127.0.0.1:5080"), sailPoint.BaseUrl);
        Assert.False(storage.IsIdentityBased);
        Assert.Equal("UseDevelopmentStorage=true", storage.ConnectionString);
    }

    [Fact]
    public void Azure_storage_settings_make_an_identity_based_connection_with_the_user_assigned_identity()
    {
        // The Bicep's values are expressions; give each the shape Azure fills in.
        var sample = new Dictionary<string, string?>
        {
            ["identityClientId"] = "00000000-0000-0000-0000-000000000001",
            ["blobEndpoint"] = "https://stexample.blob.core.windows.net/",
            ["queueEndpoint"] = "https://stexample.queue.core.windows.net/",
            ["tableEndpoint"] = "https://stexample.table.core.windows.net/",
        };
        var values = AppSettings.FromBicep()
            .Where(setting => setting.Key.StartsWith(FunctionsSettings.StorageConnection, StringComparison.Ordinal))
            .ToDictionary(setting => SettingNames.ToConfigurationKey(setting.Key), setting => setting.Value.StartsWith('\'')
                ? setting.Value.Trim('\'')
                : sample[setting.Value]);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();

        var storage = StorageConnection.FromConfiguration(configuration);

        Assert.True(storage.IsIdentityBased);
        Assert.True(storage.UsesManagedIdentity);
        Assert.Equal("00000000-0000-0000-0000-000000000001", storage.ManagedIdentityClientId);
        Assert.Equal(new Uri("https://stexample.queue.core.windows.net/"), storage.QueueServiceUri);
    }

    [Fact]
    public void Schedules_are_valid_six_field_ncrontab_expressions()
    {
        var options = new CrontabSchedule.ParseOptions { IncludingSeconds = true };
        var bicepDefault = BicepFile.Load("infra/main.bicep").ParameterDefault("exportSchedule")!.Trim('\'');
        var local = LocalSettings.Values()[SettingNames.ToAppSettingName(FunctionsSettings.ScheduleSetting)];

        Assert.Equal(FunctionsSettings.DefaultSchedule, bicepDefault);
        Assert.Equal(FunctionsSettings.DefaultSchedule, local);
        var schedule = CrontabSchedule.Parse(FunctionsSettings.DefaultSchedule, options);
        var next = schedule.GetNextOccurrence(new DateTime(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc));
        Assert.Equal(new DateTime(2026, 1, 2, 2, 0, 0, DateTimeKind.Utc), next);
    }

    [Fact]
    public void The_resume_schedule_runs_every_30_seconds_in_azure_and_locally()
    {
        var options = new CrontabSchedule.ParseOptions { IncludingSeconds = true };
        var bicepDefault = BicepFile.Load("infra/main.bicep").ParameterDefault("resumeSchedule")!.Trim('\'');
        var local = LocalSettings.Values()[SettingNames.ToAppSettingName(FunctionsSettings.ResumeScheduleSetting)];

        Assert.Equal(FunctionsSettings.DefaultResumeSchedule, bicepDefault);
        Assert.Equal(FunctionsSettings.DefaultResumeSchedule, local);
        var occurrences = CrontabSchedule.Parse(FunctionsSettings.DefaultResumeSchedule, options)
            .GetNextOccurrences(new DateTime(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc), new DateTime(2026, 1, 1, 12, 2, 0, DateTimeKind.Utc))
            .ToList();
        Assert.Equal(
            [new DateTime(2026, 1, 1, 12, 0, 30, DateTimeKind.Utc), new DateTime(2026, 1, 1, 12, 1, 0, DateTimeKind.Utc), new DateTime(2026, 1, 1, 12, 1, 30, DateTimeKind.Utc)],
            occurrences);
    }

    [Fact]
    public void Local_settings_hold_no_real_secret()
    {
        var values = LocalSettings.Values();

        // The emulator's public default credentials; anything else would be a real secret committed by mistake.
        Assert.Equal("rolemining-emulator-secret", values["SailPoint__ClientSecret"]);
        Assert.All(values.Values, value => Assert.DoesNotContain("AccountKey=", value, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void Every_provided_setting_has_a_row_in_the_settings_table_of_the_deployment_guide()
    {
        // A review found the API's settings missing from the table while the Bicep wrote them (and overwrote them on
        // every provisioning, see "Provisioning replaces the app settings").
        var rows = SettingsTableRows();
        var provided = AppSettings.FromBicep().Keys.Concat(LocalSettings.Values().Keys).Distinct(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(rows);

        Assert.All(provided, name => Assert.True(rows.Any(row => Documents(row, name)), $"docs/deploy.md's Settings table has no row for {name}"));
    }

    /// <summary>The first cells of the table under "## Settings" in docs/deploy.md.</summary>
    private static List<string> SettingsTableRows()
    {
        var guide = Repository.ReadText("docs/deploy.md").ReplaceLineEndings("\n");
        var section = guide[guide.IndexOf("\n## Settings\n", StringComparison.Ordinal)..];
        return section.Split('\n')
            .SkipWhile(line => !line.StartsWith('|'))
            .TakeWhile(line => line.StartsWith('|'))
            .Skip(2)
            .Select(line => line.Split('|')[1])
            .ToList();
    }

    /// <summary>
    /// Whether a row's first cell names the setting: in full, or as a `__Suffix` after a full name that shares its prefix
    /// (`AzureWebJobsStorage__credential`, `__clientId`), or as `__&lt;caller name&gt;` for a setting per caller.
    /// </summary>
    private static bool Documents(string cell, string name)
    {
        var names = SettingCell().Matches(cell).Select(match => match.Groups[1].Value).ToList();
        if (names.Contains(name))
        {
            return true;
        }

        var split = name.LastIndexOf("__", StringComparison.Ordinal);
        if (split < 0)
        {
            return false;
        }

        var (prefix, suffix) = (name[..split], name[split..]);
        var sharesPrefix = names.Any(full => full.StartsWith(prefix + "__", StringComparison.Ordinal) && !full[(prefix.Length + 2)..].Contains("__", StringComparison.Ordinal));
        return (sharesPrefix && names.Contains(suffix)) || names.Contains(prefix + "__<caller name>");
    }

    private static IConfiguration LocalConfiguration() =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(LocalSettings.Values().ToDictionary(
                setting => SettingNames.ToConfigurationKey(setting.Key), setting => (string?)setting.Value))
            .Build();

    [GeneratedRegex(@"`([^`]+)`")]
    private static partial Regex SettingCell();

    [GeneratedRegex(@"""%([A-Za-z0-9_:.\-]+)%""")]
    private static partial Regex BindingExpression();
}
