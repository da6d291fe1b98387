using Microsoft.Extensions.Configuration;
using RoleMining.Functions.Configuration;

namespace RoleMining.Functions.Tests.Configuration;

public sealed class ExportSweepOptionsTests
{
    [Fact]
    public void Empty_session_setting_selects_every_complete_session()
    {
        var selection = new ExportSweepOptions { SessionIds = " " }.ToSelection();

        Assert.Null(selection.SessionIds);
        Assert.Equal(RoleMining.SailPoint.Models.RoleMiningSessionState.PotentialRolesCreated, selection.RequiredState);
    }

    [Fact]
    public void Session_ids_are_split_on_commas_and_spaces_once_each()
    {
        var options = new ExportSweepOptions { SessionIds = "a1, b2;c3  a1\n" };

        Assert.Equal(["a1", "b2", "c3"], options.SessionIdList());
        Assert.Empty(options.Validate());
    }

    [Fact]
    public void Export_parameters_are_passed_on()
    {
        var selection = new ExportSweepOptions { MinEntitlementPopularity = 40, IncludeCommonAccess = false, SavedOnly = true }.ToSelection();

        Assert.Equal(40, selection.Options.MinEntitlementPopularity);
        Assert.False(selection.Options.IncludeCommonAccess);
        Assert.True(selection.SavedOnly);
    }

    [Fact]
    public void Ids_that_are_not_path_segments_are_reported()
    {
        var problems = new ExportSweepOptions { SessionIds = "ok-1,../etc" }.Validate();

        Assert.Single(problems);
        Assert.Contains("'../etc'", problems[0], StringComparison.Ordinal);
    }

    [Fact]
    public void App_settings_bind_to_the_section()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["RoleMining:Sweep:SessionIds"] = "x1,x2",
                ["RoleMining:Sweep:MinEntitlementPopularity"] = "10",
            })
            .Build();

        var options = configuration.GetSection(ExportSweepOptions.SectionName).Get<ExportSweepOptions>()!;

        Assert.Equal(["x1", "x2"], options.SessionIdList());
        Assert.Equal(10, options.MinEntitlementPopularity);
    }
}
