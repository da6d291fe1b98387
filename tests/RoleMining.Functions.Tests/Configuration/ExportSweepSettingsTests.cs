using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RoleMining.Exports;
using RoleMining.Functions.Hosting;
using RoleMining.SailPoint.Models;

namespace RoleMining.Functions.Tests.Configuration;

/// <summary>
/// <c>RoleMining:Sweep</c> as the Functions app reads it: app settings reach the worker as environment variables
/// (<c>__</c> for <c>:</c>), bound by the app's own registration (<see cref="FunctionsServiceCollectionExtensions.AddRoleMiningFunctions"/>)
/// to the one options type the CLI binds too.
/// </summary>
public sealed class ExportSweepSettingsTests
{
    [Theory]
    // As infra/app/function-app.bicep writes it: one setting, the ids separated by commas.
    [InlineData("RoleMining__Sweep__SessionIds=s1,s2")]
    // As a person may add it in the portal, one setting per id.
    [InlineData("RoleMining__Sweep__SessionIds__0=s1", "RoleMining__Sweep__SessionIds__1=s2")]
    public void Both_forms_of_the_session_ids_select_the_same_sessions(params string[] appSettings)
    {
        var selection = Options(appSettings).ToSelection();

        Assert.Equal(["s1", "s2"], selection.SessionIds);
    }

    [Fact]
    public void The_empty_default_of_the_Bicep_selects_every_complete_session()
    {
        var selection = Options("RoleMining__Sweep__SessionIds=").ToSelection();

        Assert.Null(selection.SessionIds);
        Assert.Equal(RoleMiningSessionState.PotentialRolesCreated, selection.RequiredState);
    }

    [Fact]
    public void The_state_and_the_export_parameters_are_read_as_the_CLI_reads_them()
    {
        var selection = Options("RoleMining__Sweep__State=any", "RoleMining__Sweep__SavedOnly=true", "RoleMining__Sweep__MinEntitlementPopularity=10").ToSelection();

        Assert.Null(selection.RequiredState);
        Assert.True(selection.SavedOnly);
        Assert.Equal(10, selection.Options.MinEntitlementPopularity);
    }

    [Fact]
    public void An_id_that_is_not_a_session_id_stops_the_app_at_start()
    {
        var exception = Record.Exception(() => Provider("RoleMining__Sweep__SessionIds=ok-1,../etc").GetRequiredService<IStartupValidator>().Validate());

        // Other options of this bare configuration (no SailPoint tenant) fail too; the host reports them all at once.
        var failures = (exception as AggregateException)?.InnerExceptions ?? [Assert.IsType<OptionsValidationException>(exception)];
        Assert.Contains("RoleMining:Sweep:SessionIds: '../etc' is not a session id.", failures.OfType<OptionsValidationException>().SelectMany(failure => failure.Failures));
    }

    private static ExportSweepOptions Options(params string[] appSettings) =>
        Provider(appSettings).GetRequiredService<IOptions<ExportSweepOptions>>().Value;

    /// <summary>The app's services over <paramref name="appSettings"/> read by the environment-variable provider, as the worker reads them.</summary>
    private static ServiceProvider Provider(params string[] appSettings)
    {
        // A prefix of its own keeps these variables apart from every other test's, and out of the configuration of others.
        var prefix = "ROLEMINING_TEST_" + Guid.NewGuid().ToString("N") + "_";
        var names = new List<string>();
        try
        {
            foreach (var setting in appSettings)
            {
                var (name, value) = (setting[..setting.IndexOf('=', StringComparison.Ordinal)], setting[(setting.IndexOf('=', StringComparison.Ordinal) + 1)..]);
                names.Add(prefix + name);

                // An empty value removes a variable; a single space stands for the empty app setting.
                Environment.SetEnvironmentVariable(prefix + name, value.Length == 0 ? " " : value);
            }

            var configuration = new ConfigurationBuilder()
                .AddInMemoryCollection(new Dictionary<string, string?> { ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true" })
                .AddEnvironmentVariables(prefix)
                .Build();
            return new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddRoleMiningFunctions(configuration).BuildServiceProvider();
        }
        finally
        {
            names.ForEach(name => Environment.SetEnvironmentVariable(name, null));
        }
    }
}
