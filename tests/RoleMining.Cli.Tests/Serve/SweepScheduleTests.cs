using Microsoft.Extensions.Configuration;
using RoleMining.Cli.Hosting;
using RoleMining.Cli.Serve;

namespace RoleMining.Cli.Tests.Serve;

public sealed class SweepScheduleTests
{
    [Theory]
    [InlineData("0 0 2 * * *", "2024-01-01T03:00:00Z", "2024-01-02T02:00:00Z")]
    [InlineData("0 0 2 * * *", "2024-01-01T01:59:59Z", "2024-01-01T02:00:00Z")]
    [InlineData("0 0 2 * * *", "2024-01-01T02:00:00Z", "2024-01-02T02:00:00Z")]
    [InlineData("30 2 * * 1", "2024-01-01T03:00:00Z", "2024-01-08T02:30:00Z")]
    [InlineData("*/15 * * * * *", "2024-01-01T00:00:07Z", "2024-01-01T00:00:15Z")]
    public void Next_occurrence_is_read_as_the_Functions_timer_reads_it(string expression, string after, string expected)
    {
        var schedule = SweepSchedule.TryParse(expression, out var error);
        Assert.Null(error);
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), schedule!.NextAfter(DateTimeOffset.Parse(after, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Theory]
    [InlineData("0 0 3 * * *", null, "0 0 3 * * *")]
    [InlineData(null, "0 0 4 * * *", "0 0 4 * * *")]
    [InlineData("0 0 3 * * *", "0 0 4 * * *", "0 0 3 * * *")]
    [InlineData(null, null, null)]
    [InlineData("", "0 0 4 * * *", null)]
    public void Serve_reads_its_schedule_or_the_Functions_apps_spelling_of_it(string? serveKey, string? functionsKey, string? expected)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [LocalApiHost.ScheduleKey] = serveKey,
            [LocalApiHost.FunctionsScheduleKey] = functionsKey,
        }).Build();

        Assert.Equal(expected, LocalApiHost.ReadSchedule(configuration)?.Expression);
    }

    [Theory]
    [InlineData("RoleMining__Schedule", "0 0 3 * * *")]
    [InlineData("RoleMining_Schedule", "0 0 3 * * *")] // the Functions app's app setting, as an environment variable
    [InlineData("ROLEMINING_SCHEDULE", null)] // azd's variable of the Bicep parameter, not a setting of serve
    public void Serve_reads_its_schedule_from_an_environment_variable_in_either_spelling(string variable, string? expected)
    {
        using var directory = new TemporaryDirectory();
        var context = new CliContext(
            new CliConsole(TextWriter.Null, TextWriter.Null),
            new Dictionary<string, string?> { [variable] = "0 0 3 * * *" },
            directory.Path,
            loadUserSecrets: false);

        var configuration = RoleMining.Cli.Configuration.CliConfiguration.Build(context, configFile: null);

        Assert.Equal(expected, LocalApiHost.ReadSchedule(configuration)?.Expression);
    }

    [Fact]
    public void A_bad_schedule_in_the_Functions_apps_spelling_is_named_so()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [LocalApiHost.FunctionsScheduleKey] = "0 2 * *" }).Build();

        Assert.StartsWith("Configuration error: RoleMining_Schedule:", Assert.Throws<CliException>(() => LocalApiHost.ReadSchedule(configuration)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Next_occurrence_is_in_utc_whatever_the_offset_of_now()
    {
        var schedule = SweepSchedule.TryParse("0 0 2 * * *", out _)!;
        Assert.Equal(new DateTimeOffset(2024, 1, 2, 2, 0, 0, TimeSpan.Zero), schedule.NextAfter(new DateTimeOffset(2024, 1, 2, 1, 0, 0, TimeSpan.FromHours(2))));
    }

    [Theory]
    [InlineData(null, "empty")]
    [InlineData("  ", "empty")]
    [InlineData("0 2 * *", "4 fields")]
    [InlineData("0 0 0 2 * * *", "7 fields")]
    [InlineData("0 61 2 * * *", "not a valid CRON expression")]
    [InlineData("daily", "1 fields")]
    public void Invalid_schedules_are_refused_with_a_reason(string? expression, string reason)
    {
        Assert.Null(SweepSchedule.TryParse(expression, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }
}
