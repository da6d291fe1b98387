using System.Text.RegularExpressions;

namespace RoleMining.Exports.Tests.Diagnostics;

public sealed partial class ExportsMetricsTests
{
    [Fact]
    public void Every_step_outcome_has_a_snake_case_metric_value_of_its_own()
    {
        // Dashboards and alerts filter rolemining.outcome by these values; deploy.md lists them.
        var names = Enum.GetValues<ExportStepOutcome>().Select(ExportsMetrics.OutcomeName).ToList();

        Assert.All(names, name => Assert.Matches(SnakeCase(), name));
        Assert.Equal(names.Count, names.Distinct(StringComparer.Ordinal).Count());
        var documented = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "deploy.md"));
        Assert.All(names, name => Assert.Contains($"`{name}`", documented, StringComparison.Ordinal));
    }

    [Fact]
    public void Every_failure_kind_is_in_the_runbooks_list_of_the_failed_exports_metric()
    {
        var documented = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "deploy.md"));

        Assert.All(Enum.GetNames<ExportFailureKind>(), kind => Assert.Contains($"`{kind}`", documented, StringComparison.Ordinal));
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Functions.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Functions.sln not found above the test's folder.");
    }

    [GeneratedRegex("^[a-z]+(_[a-z]+)*$")]
    private static partial Regex SnakeCase();
}
