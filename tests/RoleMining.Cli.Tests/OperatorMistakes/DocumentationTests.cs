using System.Text.RegularExpressions;
using RoleMining.Cli.Hosting;
using RoleMining.Cli.Tests.Infrastructure;
using RoleMining.Testing.FunctionsHost;

namespace RoleMining.Cli.Tests.OperatorMistakes;

/// <summary>What the help and the README suggest works when an operator copies it.</summary>
public sealed partial class DocumentationTests(EmulatorFixture emulator) : IClassFixture<EmulatorFixture>
{
    [Theory]
    [InlineData("sessions", "list")]
    [InlineData("roles", "list")]
    [InlineData("identities", null)]
    public async Task Every_sort_the_help_suggests_is_accepted_by_SailPoint(string command, string? subcommand)
    {
        var runner = emulator.CreateRunner();
        string[] help = subcommand is null ? [command, "--help"] : [command, subcommand, "--help"];
        var helpText = (await runner.RunAsync(help)).Output;
        var suggestions = SortSuggestion().Match(helpText);
        Assert.True(suggestions.Success, helpText);
        var session = emulator.Server.Tenant.Sessions.First(candidate => candidate.PotentialRoles.Count > 0);

        foreach (var sort in suggestions.Groups["sort"].Captures.Select(capture => capture.Value))
        {
            string[] args = command switch
            {
                "sessions" => ["sessions", "list", "--sort", sort],
                "roles" => ["roles", "list", "--session", session.Id, "--sort", sort],
                _ => ["identities", "--session", session.Id, "--role", session.PotentialRoles[0].Id, "--sort", sort],
            };
            var result = await runner.RunAsync(args);
            Assert.True(result.ExitCode == ExitCodes.Success, $"--sort '{sort}' from the help of {command}: {result}");
        }
    }

    [Fact]
    public async Task The_README_command_table_lists_every_command_and_says_how_serve_ends()
    {
        var readme = File.ReadAllText(Path.Combine(DocumentedMistakesTests.RepositoryRoot(), "README.md"));
        var table = readme[readme.IndexOf("| Command | Does |", StringComparison.Ordinal)..];
        table = table[..table.IndexOf("\n\n", StringComparison.Ordinal)];
        var help = (await new CliRunner().RunAsync("--help")).Output;
        var commands = help[help.IndexOf("Commands:", StringComparison.Ordinal)..].Split('\n').Skip(1)
            .Select(line => CommandLine().Match(line)).Where(match => match.Success).Select(match => match.Groups["name"].Value).ToList();

        Assert.Contains("serve", commands);
        foreach (var command in commands)
        {
            Assert.Contains($"| `{command}", table, StringComparison.Ordinal);
        }

        Assert.Matches(ServeStops(), readme);
    }

    [Theory]
    [InlineData("README.md")]
    [InlineData("docs/deploy.md")]
    public void The_commands_that_run_the_Functions_app_locally_each_run_from_the_repository_root(string document)
    {
        var text = File.ReadAllText(Path.Combine(DocumentedMistakesTests.RepositoryRoot(), document));
        var commands = BashBlock().Matches(text).Select(block => block.Groups["body"].Value)
            .Where(body => body.Contains("func host start", StringComparison.Ordinal) || body.Contains("functions-host", StringComparison.Ordinal))
            .SelectMany(body => body.Split('\n')).Select(line => line.Trim()).Where(line => line.Length > 0 && !line.StartsWith('#')).ToList();

        // A cd of its own would leave the shell in the build folder, where the next command's relative paths do not resolve.
        Assert.Contains("(cd src/RoleMining.Functions/bin/Debug/net10.0 && func host start)", commands);
        Assert.DoesNotContain(commands, line => line.StartsWith("cd ", StringComparison.Ordinal));
        if (document == "README.md")
        {
            // The host build is where the end-to-end tests find it: beside the repository, or where their variable says.
            Assert.Contains($"\"${{{FunctionsHostLocator.HostVariable}:-../shared/functions-host}}/run\" src/RoleMining.Functions/bin/Debug/net10.0 7071", commands);
        }
    }

    [GeneratedRegex(@"```bash\n(?<body>.*?)```", RegexOptions.Singleline)]
    private static partial Regex BashBlock();

    [GeneratedRegex(@"--sort <FIELDS>\s+ISC sorters[^\n]*?e\.g\.(?:\s*(?:or\s*)?'(?<sort>[^']+)')+")]
    private static partial Regex SortSuggestion();

    [GeneratedRegex(@"^  (?<name>[a-z]+)\b")]
    private static partial Regex CommandLine();

    [GeneratedRegex(@"`serve[^\n]*SIGTERM[^\n]*exit code 0")]
    private static partial Regex ServeStops();
}
