using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RoleMining.Cli.Exports;
using RoleMining.Cli.Hosting;
using RoleMining.Exports;

namespace RoleMining.Cli.Tests.Exports;

/// <summary>The workflow defaults of the commands: quick for a person at a terminal, patient with SailPoint for `serve`.</summary>
public sealed class ExportSettingsTests
{
    [Fact]
    public void Export_and_sweep_give_a_failing_SailPoint_a_few_quick_retries_and_serve_the_Functions_apps_hour()
    {
        // A chaos run of `serve` found a 10 s outage failing every running export: a host whose callers poll their jobs
        // must ride out what the Functions app rides out.
        var library = new ExportTransientRetryOptions();

        var export = Options(serving: false);
        var serve = Options(serving: true);

        Assert.Equal(3, export.TransientRetry.MaxRetries);
        Assert.Equal(TimeSpan.FromSeconds(2), export.TransientRetry.InitialDelay);
        Assert.Equal((library.MaxRetries, library.InitialDelay, library.MaxDelay), (serve.TransientRetry.MaxRetries, serve.TransientRetry.InitialDelay, serve.TransientRetry.MaxDelay));
        // Both keep the command line's quick polling and short lease.
        Assert.All(new[] { export, serve }, options =>
        {
            Assert.Equal(TimeSpan.FromSeconds(2), options.Polling.InitialDelay);
            Assert.Equal(TimeSpan.FromSeconds(15), options.LeaseDuration);
        });
    }

    [Fact]
    public void Configuration_still_wins_over_the_command_line_defaults()
    {
        var configured = Options(serving: false, new Dictionary<string, string?> { ["RoleMining:Exports:TransientRetry:MaxRetries"] = "12" });

        Assert.Equal(12, configured.TransientRetry.MaxRetries);
    }

    [Theory]
    [InlineData("00:00:06", "00:00:06", "00:00:02")]
    [InlineData("00:00:01", "00:00:01", "00:00:01")]
    [InlineData("00:10:00", "00:00:15", "00:00:02")]
    public void A_shorter_total_wait_takes_the_polling_defaults_down_with_it(string totalWait, string maxDelay, string initialDelay)
    {
        // A chaos run: TotalWait=6 s was refused as "MaxDelay must not exceed TotalWait", a MaxDelay nobody had set.
        var options = Options(serving: false, new Dictionary<string, string?> { ["RoleMining:Exports:Polling:TotalWait"] = totalWait });

        Assert.Equal(TimeSpan.Parse(maxDelay, System.Globalization.CultureInfo.InvariantCulture), options.Polling.MaxDelay);
        Assert.Equal(TimeSpan.Parse(initialDelay, System.Globalization.CultureInfo.InvariantCulture), options.Polling.InitialDelay);
    }

    [Fact]
    public void A_configured_max_delay_longer_than_the_total_wait_is_still_refused()
    {
        var refused = Assert.Throws<OptionsValidationException>(() => Options(serving: false, new Dictionary<string, string?>
        {
            ["RoleMining:Exports:Polling:TotalWait"] = "00:00:06",
            ["RoleMining:Exports:Polling:MaxDelay"] = "00:00:20",
        }));

        Assert.Contains("MaxDelay must not exceed", refused.Message, StringComparison.Ordinal);
    }

    private static ExportWorkflowOptions Options(bool serving, Dictionary<string, string?>? settings = null)
    {
        using var directory = new TemporaryDirectory();
        var context = new CliContext(new CliConsole(TextWriter.Null, TextWriter.Null), new Dictionary<string, string?>(), directory.Path, loadUserSecrets: false);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings ?? []).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        var add = serving ? ExportSession.Services(context, "exports") : ExportSession.Services(context, "exports", blobContainer: null);
        add(services, configuration);
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<ExportWorkflowOptions>>().Value;
    }
}
