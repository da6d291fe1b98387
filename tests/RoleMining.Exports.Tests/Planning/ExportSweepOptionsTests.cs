using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RoleMining.SailPoint.Models;

namespace RoleMining.Exports.Tests.Planning;

/// <summary>The one model of <c>RoleMining:Sweep</c>: both configuration forms of the session ids, the state, validation.</summary>
public sealed class ExportSweepOptionsTests
{
    [Fact]
    public void Nothing_configured_selects_every_complete_session_with_the_default_export_parameters()
    {
        var selection = Bind([]).ToSelection();

        Assert.Null(selection.SessionIds);
        Assert.Equal(RoleMiningSessionState.PotentialRolesCreated, selection.RequiredState);
        Assert.False(selection.SavedOnly);
        Assert.Equal(ExportRequestOptions.Default, selection.Options);
    }

    [Fact]
    public void An_empty_single_value_as_the_Bicep_sets_by_default_selects_every_session()
    {
        Assert.Null(Bind(("SessionIds", "")).ToSelection().SessionIds);
        Assert.Null(Bind(("SessionIds", " , ")).ToSelection().SessionIds);
    }

    [Fact]
    public void A_single_value_is_split_on_commas_semicolons_and_white_space_once_each()
    {
        var options = Bind(("SessionIds", "a1, b2;c3  a1\n"));

        Assert.Equal(["a1", "b2", "c3"], options.ToSelection().SessionIds);
    }

    [Fact]
    public void A_list_binds_item_by_item()
    {
        var options = Bind(("SessionIds:0", "a1"), ("SessionIds:1", "b2"));

        Assert.Equal(["a1", "b2"], options.ToSelection().SessionIds);
    }

    [Fact]
    public void A_JSON_array_and_a_JSON_string_bind_alike()
    {
        var array = BindJson("""{ "RoleMining": { "Sweep": { "SessionIds": [ "a1", "b2" ] } } }""");
        var text = BindJson("""{ "RoleMining": { "Sweep": { "SessionIds": "a1,b2" } } }""");

        Assert.Equal(["a1", "b2"], array.ToSelection().SessionIds);
        Assert.Equal(["a1", "b2"], text.ToSelection().SessionIds);
    }

    [Fact]
    public void Both_forms_at_once_add_up()
    {
        var options = Bind(("SessionIds", "a1,b2"), ("SessionIds:0", "c3"));

        Assert.Equal(["c3", "a1", "b2"], options.ToSelection().SessionIds);
    }

    [Theory]
    [InlineData("POTENTIAL_ROLES_CREATED", RoleMiningSessionState.PotentialRolesCreated)]
    [InlineData("potential_roles_processing", RoleMiningSessionState.PotentialRolesProcessing)]
    [InlineData("IdentitiesObtained", RoleMiningSessionState.IdentitiesObtained)]
    public void The_state_is_read_as_SailPoint_or_dotnet_names_it(string text, RoleMiningSessionState expected)
    {
        Assert.Equal(expected, Bind(("State", text)).ToSelection().RequiredState);
    }

    [Theory]
    [InlineData("any")]
    [InlineData("ANY")]
    [InlineData("")]
    public void Any_state_selects_sessions_in_every_state(string text)
    {
        Assert.Null(Bind(("State", text)).ToSelection().RequiredState);
    }

    [Fact]
    public void The_other_settings_are_passed_on()
    {
        var selection = Bind(("SavedOnly", "true"), ("MinEntitlementPopularity", "40"), ("IncludeCommonAccess", "false")).ToSelection();

        Assert.True(selection.SavedOnly);
        Assert.Equal(40, selection.Options.MinEntitlementPopularity);
        Assert.False(selection.Options.IncludeCommonAccess);
    }

    [Fact]
    public void Given_export_parameters_win_over_the_configured_ones()
    {
        var given = new ExportRequestOptions { MinEntitlementPopularity = 5 };

        Assert.Same(given, Bind(("MinEntitlementPopularity", "40")).ToSelection(given).Options);
    }

    [Fact]
    public void Each_problem_is_named_by_its_key_at_start_up()
    {
        var exception = Assert.Throws<OptionsValidationException>(() => Validate(("SessionIds", "ok-1,../etc"), ("State", "DONE"), ("MinEntitlementPopularity", "101")));

        Assert.Equal(3, exception.Failures.Count());
        Assert.Contains(exception.Failures, failure => failure.StartsWith("RoleMining:Sweep:SessionIds: '../etc' is not a session id", StringComparison.Ordinal));
        Assert.Contains(exception.Failures, failure => failure.StartsWith("RoleMining:Sweep:State 'DONE' is not a role-mining session state", StringComparison.Ordinal));
        Assert.Contains(exception.Failures, failure => failure.StartsWith("RoleMining:Sweep:MinEntitlementPopularity must be between 0 and 100", StringComparison.Ordinal));
    }

    [Fact]
    public void Valid_settings_pass_the_start_up_validation()
    {
        Validate(("SessionIds", "a1 b2"), ("State", "any"), ("MinEntitlementPopularity", "0"));
    }

    [Fact]
    public void README_and_the_deployment_guide_describe_every_setting_in_the_same_words()
    {
        var readme = SweepBlock("README.md");
        var deploy = SweepBlock("docs/deploy.md");

        Assert.Equal(readme, deploy);
        foreach (var property in typeof(ExportSweepOptions).GetProperties().Where(property => property.CanWrite))
        {
            Assert.Contains($"| `RoleMining__Sweep__{property.Name}` |", readme, StringComparison.Ordinal);
        }
    }

    private static string SweepBlock(string relativePath)
    {
        var text = File.ReadAllText(RoleMining.Testing.RepositoryPaths.Combine(relativePath)).ReplaceLineEndings("\n");
        var start = text.IndexOf("<!-- sweep-settings", StringComparison.Ordinal);
        var end = text.IndexOf("<!-- /sweep-settings -->", StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, $"{relativePath} has no sweep-settings block");
        return text[start..end];
    }

    private static ExportSweepOptions Bind(params (string Key, string Value)[] settings) =>
        Provider(new ConfigurationBuilder().AddInMemoryCollection(Settings(settings)).Build()).GetRequiredService<IOptions<ExportSweepOptions>>().Value;

    private static ExportSweepOptions BindJson(string json)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(json));
        return Provider(new ConfigurationBuilder().AddJsonStream(stream).Build()).GetRequiredService<IOptions<ExportSweepOptions>>().Value;
    }

    private static void Validate(params (string Key, string Value)[] settings) =>
        Provider(new ConfigurationBuilder().AddInMemoryCollection(Settings(settings)).Build()).GetRequiredService<IStartupValidator>().Validate();

    private static IEnumerable<KeyValuePair<string, string?>> Settings((string Key, string Value)[] settings) =>
        settings.Select(setting => KeyValuePair.Create(ExportSweepOptions.SectionName + ":" + setting.Key, (string?)setting.Value));

    private static ServiceProvider Provider(IConfiguration configuration)
    {
        var services = new ServiceCollection();
        services.AddExportSweepOptions(configuration.GetSection(ExportSweepOptions.SectionName));
        return services.BuildServiceProvider();
    }
}
