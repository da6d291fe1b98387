using Microsoft.Extensions.Time.Testing;
using RoleMining.Cli.Hosting;
using RoleMining.Cli.Output;

namespace RoleMining.Cli.Tests.Output;

public sealed class PageProgressTests
{
    [Fact]
    public async Task Plain_progress_shows_the_first_page_one_line_per_interval_and_the_last_page()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var console = new CliConsole(output, error, isOutputTerminal: false);
        var time = new FakeTimeProvider();

        // Ten pages of 250, one a second.
        var written = await PageProgress.RunAsync(console, show: true, "identities", report =>
        {
            for (var page = 1; page <= 10; page++)
            {
                report(page * 250, 2500);
                time.Advance(TimeSpan.FromSeconds(1));
            }

            return Task.FromResult(2500L);
        }, time);

        Assert.Equal(2500, written);
        Assert.Equal(
            ["page 1: 250 of 2500 identities", "page 6: 1500 of 2500 identities", "page 10: 2500 of 2500 identities"],
            output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(5, PageProgress.PlainInterval.TotalSeconds);
    }
}
