using System.Globalization;
using System.Text.Json;
using RoleMining.Cli.Hosting;
using RoleMining.Cli.Tests.Infrastructure;

namespace RoleMining.Cli.Tests.Commands;

public sealed class SessionsCommandTests(EmulatorFixture emulator) : IClassFixture<EmulatorFixture>
{
    [Fact]
    public async Task List_as_json_is_an_array_of_every_session_of_the_tenant()
    {
        var result = await emulator.CreateRunner().RunAsync("sessions", "list", "--format", "json");

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        using var document = JsonDocument.Parse(result.Output);
        var sessions = document.RootElement.EnumerateArray().ToList();
        var expected = emulator.Server.Tenant.Sessions;
        Assert.Equal(expected.Select(session => session.Id), sessions.Select(session => session.GetProperty("id").GetString()));
        Assert.Equal(expected.Select(session => session.Name), sessions.Select(session => session.GetProperty("name").GetString()));
        Assert.Equal(expected.Select(session => session.State), sessions.Select(session => session.GetProperty("status").GetProperty("state").GetString()));
        Assert.Empty(result.Error);
    }

    [Fact]
    public async Task List_as_csv_has_a_header_and_one_row_per_session()
    {
        var result = await emulator.CreateRunner().RunAsync("sessions", "list", "--format", "csv");

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        var (header, rows) = Csv.Parse(result.Output);
        Assert.Equal("id", header[0]);
        Assert.Contains("state", header);
        var expected = emulator.Server.Tenant.Sessions;
        Assert.Equal(expected.Select(session => session.Id), rows.Select(row => row["id"]));
        Assert.Equal(expected.Select(session => session.State), rows.Select(row => row["state"]));
        Assert.Equal(expected.Select(session => session.Saved ? "true" : "false"), rows.Select(row => row["saved"]));
    }

    [Fact]
    public async Task List_as_table_shows_every_session_on_one_line_with_long_names_cut()
    {
        var result = await emulator.CreateRunner().RunAsync("sessions", "list");

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        Assert.Equal(emulator.Server.Tenant.Sessions.Count + 1, result.OutputLines.Count);
        foreach (var session in emulator.Server.Tenant.Sessions)
        {
            // Table cells hold at most 30 characters; a longer name ends in an ellipsis.
            var shown = session.Name.Length <= 30 ? session.Name : session.Name[..29] + "…";
            Assert.Contains(result.OutputLines, line => line.StartsWith(session.Id, StringComparison.Ordinal) && line.Contains(shown, StringComparison.Ordinal) && line.Contains(session.State, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task List_passes_the_filter_to_the_service()
    {
        var result = await emulator.CreateRunner().RunAsync("sessions", "list", "--filter", "saved eq true", "--format", "csv");

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        var (_, rows) = Csv.Parse(result.Output);
        var expected = emulator.Server.Tenant.Sessions.Where(session => session.Saved).Select(session => session.Id).ToList();
        Assert.NotEmpty(expected);
        Assert.Equal(expected, rows.Select(row => row["id"]));
    }

    [Fact]
    public async Task Out_dash_writes_to_standard_output_and_creates_no_file()
    {
        using var directory = new TemporaryDirectory();

        var result = await emulator.CreateRunner(directory.Path).RunAsync("sessions", "list", "--format", "csv", "--out", "-");

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        Assert.Equal(emulator.Server.Tenant.Sessions.Select(session => session.Id), Csv.Parse(result.Output).Rows.Select(row => row["id"]));
        Assert.Empty(directory.Files());
    }

    [Fact]
    public async Task A_filter_ISC_does_not_support_is_a_usage_error_with_the_rules_of_GET_api_sessions()
    {
        var result = await emulator.CreateRunner().RunAsync("sessions", "list", "--filter", "nosuchfield eq 1", "--format", "json");
        var sorter = await emulator.CreateRunner().RunAsync("sessions", "list", "--sort", "quality");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Single(result.ErrorLines);
        Assert.Contains("--filter 'nosuchfield eq 1'", result.Error, StringComparison.Ordinal);
        Assert.Contains("nosuchfield", result.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Usage, sorter.ExitCode);
        Assert.Contains("quality", sorter.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_as_json_returns_the_session()
    {
        var session = emulator.Server.Tenant.Sessions[1];

        var result = await emulator.CreateRunner().RunAsync("sessions", "get", session.Id, "--format", "json");

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        using var document = JsonDocument.Parse(result.Output);
        Assert.Equal(session.Id, document.RootElement.GetProperty("id").GetString());
        Assert.Equal(session.Name, document.RootElement.GetProperty("name").GetString());
        Assert.Equal(session.IdentityCount, document.RootElement.GetProperty("identityCount").GetInt32());
    }

    [Fact]
    public async Task Get_as_csv_to_a_file_writes_one_row_with_when_the_session_last_changed()
    {
        using var directory = new TemporaryDirectory();
        var session = emulator.Server.Tenant.Sessions[1];

        var result = await emulator.CreateRunner(directory.Path).RunAsync("sessions", "get", session.Id, "--format", "csv", "--out", "session.csv");

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        Assert.Equal($"Wrote session {session.Id} to session.csv.", Assert.Single(result.OutputLines));
        var (header, rows) = Csv.Parse(await File.ReadAllTextAsync(directory.Combine("session.csv")));
        Assert.Equal("modifiedDate", header[^1]);
        var row = Assert.Single(rows);
        Assert.Equal(session.Id, row["id"]);
        Assert.Equal(session.ModifiedDate, DateTimeOffset.Parse(row["modifiedDate"], CultureInfo.InvariantCulture).UtcDateTime, TimeSpan.FromSeconds(1));
        Assert.Equal(["session.csv"], directory.Files());
    }

    [Theory]
    [InlineData(null, UnixFileMode.UserRead | UnixFileMode.UserWrite)]
    [InlineData("group", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead)]
    public async Task A_listing_written_to_a_file_is_as_readable_as_the_exports(string? access, UnixFileMode expected)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var directory = new TemporaryDirectory();
        var runner = emulator.CreateRunner(directory.Path);
        if (access is not null)
        {
            runner = runner.With("RoleMining__Exports__FileSystem__Access", access);
        }

        var result = await runner.RunAsync("sessions", "list", "--format", "csv", "--out", "sessions.csv");

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        // The umask may take permissions away, never add them: nothing beyond the setting's mode.
        var mode = File.GetUnixFileMode(directory.Combine("sessions.csv"));
        Assert.Equal(UnixFileMode.None, mode & ~expected);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, mode & (UnixFileMode.UserRead | UnixFileMode.UserWrite));
    }

    [Fact]
    public async Task A_file_access_setting_it_cannot_take_is_reported_as_the_export_commands_report_it()
    {
        using var directory = new TemporaryDirectory();

        var result = await emulator.CreateRunner(directory.Path).With("RoleMining__Exports__FileSystem__Access", "bogus")
            .RunAsync("sessions", "list", "--out", "sessions.csv");

        Assert.Equal(ExitCodes.Configuration, result.ExitCode);
        Assert.Equal("Configuration error: RoleMining:Exports:FileSystem:Access must be one of Owner, Group, Everyone, not 'bogus'.", Assert.Single(result.ErrorLines));
        Assert.Empty(directory.Files());
    }

    [Fact]
    public async Task A_file_that_cannot_be_created_is_named_as_given_not_by_its_temporary_name()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        // /proc takes no new files, whoever runs the test (root included).
        var result = await emulator.CreateRunner().RunAsync("sessions", "list", "--out", "/proc/sessions.csv");

        Assert.Equal(ExitCodes.Failed, result.ExitCode);
        var line = Assert.Single(result.ErrorLines);
        Assert.StartsWith("File error: Cannot write '/proc/sessions.csv'", line, StringComparison.Ordinal);
        Assert.DoesNotContain(".partial", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_of_an_unknown_session_to_a_file_leaves_no_file()
    {
        using var directory = new TemporaryDirectory();

        var result = await emulator.CreateRunner(directory.Path).RunAsync("sessions", "get", "no-such-session", "--out", "session.txt");

        Assert.Equal(ExitCodes.Failed, result.ExitCode);
        Assert.Empty(directory.Files());
    }

    [Fact]
    public async Task Get_of_an_unknown_session_fails_with_exit_code_1_and_one_line_naming_it()
    {
        var result = await emulator.CreateRunner().RunAsync("sessions", "get", "no-such-session");

        Assert.Equal(ExitCodes.Failed, result.ExitCode);
        var line = Assert.Single(result.ErrorLines);
        Assert.Contains("no-such-session", line, StringComparison.Ordinal);
        Assert.Contains("404", line, StringComparison.Ordinal);
        Assert.Empty(result.Output);
    }
}
