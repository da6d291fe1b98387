using System.Text.Json;
using System.Text.RegularExpressions;
using RoleMining.Cli.Hosting;
using RoleMining.Cli.Tests.Infrastructure;

namespace RoleMining.Cli.Tests.Configuration;

public sealed partial class ConfigurationTests(EmulatorFixture emulator) : IClassFixture<EmulatorFixture>, IDisposable
{
    private readonly TemporaryDirectory _directory = new();

    [Fact]
    public async Task Without_a_tenant_the_built_in_emulator_is_used_and_announced_in_one_line()
    {
        var result = await new CliRunner(_directory.Path).RunAsync("sessions", "list", "--format", "json");

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        var notice = Assert.Single(result.ErrorLines);
        Assert.Matches(EmulatorNotice(), notice);
        Assert.NotEqual(0, JsonDocument.Parse(result.Output).RootElement.GetArrayLength());
    }

    [Fact]
    public async Task The_built_in_emulator_takes_its_settings_from_the_Emulator_section()
    {
        var result = await new CliRunner(_directory.Path)
            .With("Emulator__Tenant__SessionCount", "3")
            .RunAsync("sessions", "list", "--format", "json");

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        Assert.Equal(3, JsonDocument.Parse(result.Output).RootElement.GetArrayLength());
    }

    [Fact]
    public async Task A_config_file_can_name_the_tenant_and_wins_over_the_SAIL_variables()
    {
        var deadUrl = $"http://127.0.0.1:{FreePort.Next()}/";
        var config = WriteConfig(new
        {
            SailPoint = new
            {
                BaseUrl = emulator.Server.BaseAddress.ToString(),
                ClientId = emulator.Server.Options.ClientId,
                ClientSecret = emulator.Server.Options.ClientSecret,
                RateLimit = new { Enabled = false },
            },
        });

        var result = await new CliRunner(_directory.Path)
            .With("SAIL_BASE_URL", deadUrl)
            .RunAsync("sessions", "list", "--format", "csv", "--config", config);

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        Assert.Empty(result.Error);
        Assert.Equal(emulator.Server.Tenant.Sessions.Count, Csv.Parse(result.Output).Rows.Count);
    }

    [Fact]
    public async Task A_missing_config_file_is_a_configuration_error()
    {
        var result = await new CliRunner(_directory.Path).RunAsync("sessions", "list", "--config", "nope.json");

        Assert.Equal(ExitCodes.Configuration, result.ExitCode);
        Assert.Contains("nope.json", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_malformed_config_file_is_a_configuration_error_in_one_line()
    {
        var path = _directory.Combine("broken.json");
        await File.WriteAllTextAsync(path, "{ \"SailPoint\": { \"BaseUrl\": ");

        var result = await new CliRunner(_directory.Path).RunAsync("sessions", "list", "--config", "broken.json");

        Assert.Equal(ExitCodes.Configuration, result.ExitCode);
        Assert.Single(result.ErrorLines);
        Assert.Empty(result.Output);
    }

    [Fact]
    public async Task A_plain_http_tenant_that_is_not_this_machine_is_refused_as_a_configuration_error()
    {
        var result = await new CliRunner(_directory.Path)
            .With("SAIL_BASE_URL", "http://tenant.example.com")
            .With("SAIL_CLIENT_ID", "id")
            .With("SAIL_CLIENT_SECRET", "secret-value-123")
            .RunAsync("sessions", "list");

        Assert.Equal(ExitCodes.Configuration, result.ExitCode);
        Assert.Contains("SailPoint:BaseUrl", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
        Assert.DoesNotContain("secret-value-123", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tenant_without_credentials_is_a_configuration_error_naming_the_variables()
    {
        var result = await new CliRunner(_directory.Path)
            .With("SAIL_BASE_URL", emulator.Server.BaseAddress.ToString())
            .RunAsync("sessions", "list");

        Assert.Equal(ExitCodes.Configuration, result.ExitCode);
        Assert.Contains("SAIL_CLIENT_SECRET", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_value_that_is_not_a_number_is_a_configuration_error()
    {
        var result = await emulator.CreateRunner(_directory.Path)
            .With("SailPoint__Retry__MaxRetryAttempts", "many")
            .RunAsync("sessions", "list");

        Assert.Equal(ExitCodes.Configuration, result.ExitCode);
        Assert.Contains("MaxRetryAttempts", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_secret_is_an_authentication_failure_with_exit_code_4_that_never_shows_the_secret()
    {
        var result = await emulator.CreateRunner(_directory.Path)
            .With("SAIL_CLIENT_SECRET", "wrong-secret-4711")
            .RunAsync("sessions", "list");

        Assert.Equal(ExitCodes.Unreachable, result.ExitCode);
        Assert.Single(result.ErrorLines);
        Assert.DoesNotContain("wrong-secret-4711", result.Error + result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_tenant_exits_with_4()
    {
        var result = await new CliRunner(_directory.Path)
            .With("SAIL_BASE_URL", $"http://127.0.0.1:{FreePort.Next()}")
            .With("SAIL_CLIENT_ID", "id")
            .With("SAIL_CLIENT_SECRET", "secret")
            .With("SailPoint__Retry__MaxRetryAttempts", "0")
            .RunAsync("sessions", "list");

        Assert.Equal(ExitCodes.Unreachable, result.ExitCode);
        Assert.Single(result.ErrorLines);
        Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Misspelt_tenant_variables_are_named_beside_the_emulator_notice_without_their_values()
    {
        var result = await new CliRunner(_directory.Path)
            .With("SAILPOINT_BASE_URL", "https://acme-4711.api.identitynow.com")
            .With("SAIL_CLIENTID", "client-4711")
            .With("SAIL_TOKEN", "")
            .With("RoleMining__Exports__Polling__TotalWait", "00:10:00")
            .RunAsync("sessions", "list", "--format", "json");

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        Assert.Equal(2, result.ErrorLines.Count);
        Assert.Matches(EmulatorNotice(), result.ErrorLines[0]);
        Assert.Equal(
            "warning: SAILPOINT_BASE_URL, SAIL_CLIENTID are set but not read: the tenant's variables are SAIL_BASE_URL, SAIL_CLIENT_ID and SAIL_CLIENT_SECRET (or SailPoint__BaseUrl, SailPoint__ClientId, SailPoint__ClientSecret).",
            result.ErrorLines[1]);
        Assert.DoesNotContain("4711", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("notaurl")]
    [InlineData("http://acme.api.identitynow.com")]
    public async Task A_base_url_that_is_no_https_url_is_named_by_the_variable_it_came_from(string baseUrl)
    {
        var result = await new CliRunner(_directory.Path)
            .With("SAIL_BASE_URL", baseUrl)
            .With("SAIL_CLIENT_ID", "id")
            .With("SAIL_CLIENT_SECRET", "secret")
            .RunAsync("sessions", "list");

        Assert.Equal(ExitCodes.Configuration, result.ExitCode);
        Assert.StartsWith("Configuration error: SailPoint:BaseUrl (SAIL_BASE_URL) must be an absolute https URL", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("settings", "Configuration file 'settings' is a folder; give the JSON file.")]
    [InlineData("~/rolemining.json", "Configuration file '~/rolemining.json' was not found: '~' is expanded by the shell only at the start of an unquoted word (not in quotes, nor after '=' as in --config=~/...): give the full path, e.g. $HOME/rolemining.json.")]
    [InlineData("missing.json", "Configuration file 'missing.json' was not found.")]
    public async Task A_config_path_that_is_no_file_says_why(string path, string expected)
    {
        Directory.CreateDirectory(_directory.Combine("settings"));

        var result = await new CliRunner(_directory.Path).RunAsync("sessions", "list", "--config", path);

        Assert.Equal(ExitCodes.Configuration, result.ExitCode);
        Assert.Equal(expected, Assert.Single(result.ErrorLines));
    }

    [Theory]
    [InlineData("RoleMining__Sweep__State", "BOGUS", "RoleMining:Sweep:State 'BOGUS' is not a role-mining session state", "sweep", "--out", "x6")]
    [InlineData("RoleMining__Exports__FileSystem__Access", "Bogus", "RoleMining:Exports:FileSystem:Access must be one of", "sweep", "--out", "x7")]
    [InlineData(null, null, "--blob-container 'exports' is a container name, so RoleMining:Exports:Blob:ConnectionString", "export", "--all", "--blob-container", "exports")]
    [InlineData(null, null, "RoleMining:Exports:MaxConcurrency must be a whole number, not 'abc'", "serve", "--urls", "http://127.0.0.1:0", "--config", "wrong-type.json", "--out", "sv")]
    public async Task A_configuration_error_is_all_a_run_without_a_tenant_prints_before_the_built_in_emulator_starts(
        string? variable, string? value, string expected, params string[] args)
    {
        await File.WriteAllTextAsync(_directory.Combine("wrong-type.json"), """{ "RoleMining": { "Exports": { "MaxConcurrency": "abc" } } }""");
        var runner = new CliRunner(_directory.Path);
        if (variable is not null)
        {
            runner.With(variable, value);
        }

        var result = await runner.RunAsync(args);

        Assert.Equal(ExitCodes.Configuration, result.ExitCode);
        var error = Assert.Single(result.ErrorLines);
        Assert.StartsWith("Configuration error: ", error, StringComparison.Ordinal);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.Equal(["wrong-type.json"], Directory.GetFileSystemEntries(_directory.Path).Select(Path.GetFileName));
    }

    public void Dispose() => _directory.Dispose();


    private string WriteConfig(object content)
    {
        var path = _directory.Combine($"config-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, JsonSerializer.Serialize(content));
        return path;
    }

    [GeneratedRegex(@"^No SailPoint tenant configured \(SAIL_BASE_URL\); using the built-in emulator at http://127\.0\.0\.1:\d+\.$")]
    private static partial Regex EmulatorNotice();
}
