using System.Text.RegularExpressions;
using RoleMining.Cli.Hosting;
using RoleMining.Cli.Tests.Infrastructure;

namespace RoleMining.Cli.Tests.Exports;

/// <summary>The README's main command, <c>export --all</c>, on a fresh machine: no tenant, the built-in emulator.</summary>
public sealed partial class BuiltInEmulatorExportTests : IDisposable
{
    private readonly TemporaryDirectory _directory = new();

    [Fact]
    public async Task Export_all_without_a_tenant_exports_every_role_of_the_emulator_with_its_rate_limit_on()
    {
        // One complete session keeps the test short; the export clock and rate limit stay the emulator's defaults.
        var result = await new CliRunner(_directory.Path)
            .With("Emulator__Tenant__SessionCount", "1")
            .With("RoleMining__Exports__Polling__InitialDelay", "00:00:00.500")
            .RunAsync("export", "--all");

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        Assert.Matches(EmulatorNotice(), result.ErrorLines[0]);
        var summary = SummaryLine().Match(result.Output);
        Assert.True(summary.Success, result.Output);
        var succeeded = int.Parse(summary.Groups["succeeded"].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(succeeded > 0);
        var manifests = _directory.Files().Where(file => file.StartsWith("exports/", StringComparison.Ordinal) && file.EndsWith("/manifest.json", StringComparison.Ordinal)).ToList();
        Assert.Equal(succeeded, manifests.Count);
    }

    public void Dispose() => _directory.Dispose();

    [GeneratedRegex(@"^No SailPoint tenant configured \(SAIL_BASE_URL\); using the built-in emulator at http://127\.0\.0\.1:\d+\.$")]
    private static partial Regex EmulatorNotice();

    [GeneratedRegex(@"(?<succeeded>\d+) succeeded, 0 failed\.")]
    private static partial Regex SummaryLine();
}
