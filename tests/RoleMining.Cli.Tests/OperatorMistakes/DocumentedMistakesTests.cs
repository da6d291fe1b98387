using System.Text.RegularExpressions;

namespace RoleMining.Cli.Tests.OperatorMistakes;

/// <summary><c>docs/operator-mistakes.md</c> lists exactly the rows of <see cref="OperatorMistakeCatalog"/>, each with its outcome and message.</summary>
public sealed partial class DocumentedMistakesTests
{
    [Fact]
    public void The_operator_mistakes_table_matches_what_the_tests_assert()
    {
        var rows = ReadTable();

        Assert.Equal(OperatorMistakeCatalog.All.Select(mistake => mistake.Id).Order(StringComparer.Ordinal), rows.Keys.Order(StringComparer.Ordinal));
        foreach (var mistake in OperatorMistakeCatalog.All)
        {
            var (outcome, says) = rows[mistake.Id];
            Assert.True(outcome == mistake.Outcome, $"{mistake.Id}: the table says '{outcome}', the program gives '{mistake.Outcome}'.");
            Assert.True(says.Contains(mistake.Says, StringComparison.Ordinal), $"{mistake.Id}: the table's message '{says}' does not quote '{mistake.Says}'.");
        }
    }

    [Fact]
    public void The_README_links_the_operator_mistakes_table()
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md"));

        Assert.Contains("docs/operator-mistakes.md", readme, StringComparison.Ordinal);
    }

    internal static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Functions.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (with Functions.sln) was not found above the test output.");
    }

    /// <summary>Rows <c>| `id` | mistake | outcome | what you see |</c>, by id.</summary>
    private static Dictionary<string, (string Outcome, string Says)> ReadTable()
    {
        var rows = new Dictionary<string, (string, string)>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(Path.Combine(RepositoryRoot(), "docs", "operator-mistakes.md")))
        {
            var match = Row().Match(line);
            if (match.Success)
            {
                Assert.True(rows.TryAdd(match.Groups["id"].Value, (match.Groups["outcome"].Value.Trim(), match.Groups["says"].Value)), $"Row {match.Groups["id"].Value} twice.");
            }
        }

        return rows;
    }

    [GeneratedRegex(@"^\|\s*`(?<id>[a-z0-9-]+)`\s*\|[^|]*\|\s*(?<outcome>(exit|HTTP) \d+)\s*\|(?<says>.*)\|\s*$")]
    private static partial Regex Row();
}
