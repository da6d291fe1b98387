using System.Net;
using System.Net.Sockets;
using RoleMining.Cli.Hosting;
using RoleMining.Cli.Tests.Infrastructure;

namespace RoleMining.Cli.Tests.OperatorMistakes;

/// <summary>Tenant, configuration and argument mistakes, each run as the real program in a child process.</summary>
public sealed class ConfigurationMistakeTests(EmulatorFixture emulator) : IClassFixture<EmulatorFixture>, IDisposable
{
    private readonly TemporaryDirectory _directory = new();

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public async Task Credentials_without_a_base_url_are_a_configuration_error_not_the_built_in_emulator(string? baseUrl)
    {
        var variables = new Dictionary<string, string> { ["SAIL_CLIENT_ID"] = "my-client", ["SAIL_CLIENT_SECRET"] = "my-secret-4711" };
        if (baseUrl is not null)
        {
            variables["SAIL_BASE_URL"] = baseUrl;
        }

        var result = await ChildProcess.RunCliAsync(["sessions", "list"], variables, _directory.Path);

        result.AssertGot(OperatorMistakeCatalog.PartialTenant);
        Assert.DoesNotContain("emulator at", result.Error, StringComparison.Ordinal);
        Assert.Contains("SAIL_CLIENT_ID", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
        Assert.DoesNotContain("my-secret-4711", result.Error, StringComparison.Ordinal);
        Assert.Empty(result.Output);
    }

    [Fact]
    public async Task A_client_id_alone_is_a_partial_tenant_too()
    {
        var result = await ChildProcess.RunCliAsync(["sessions", "list"], new Dictionary<string, string> { ["SailPoint__ClientId"] = "my-client" }, _directory.Path);

        result.AssertGot(OperatorMistakeCatalog.PartialTenant);
    }

    [Fact]
    public async Task A_setting_out_of_range_and_missing_credentials_are_named_by_their_keys_once_each()
    {
        var outOfRange = Tenant();
        outOfRange["RoleMining__Exports__MaxConcurrency"] = "0";

        var range = await ChildProcess.RunCliAsync(["export", "--all"], outOfRange, _directory.Path);
        var missing = await ChildProcess.RunCliAsync(["sessions", "list"], new Dictionary<string, string> { ["SAIL_BASE_URL"] = emulator.Server.BaseAddress.ToString() }, _directory.Path);

        Assert.Equal(ExitCodes.Configuration, range.ExitCode);
        Assert.Equal("Configuration error: RoleMining:Exports:MaxConcurrency must be between 1 and 256.", Assert.Single(range.ErrorLines));
        Assert.Equal(ExitCodes.Configuration, missing.ExitCode);
        var line = Assert.Single(missing.ErrorLines);
        // The validator's own words (with the environment variable), not the attribute's again with a .NET type name.
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(line, "SailPoint:ClientId"));
        Assert.Contains("SAIL_CLIENT_SECRET", line, StringComparison.Ordinal);
        Assert.DoesNotContain("RoleMiningClientOptions", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("RoleMining__Exports__Polling__InitialDelay", "00:01:00", "RoleMining:Exports:Polling:InitialDelay must not exceed RoleMining:Exports:Polling:MaxDelay.", "export", "--all")]
    [InlineData("RoleMining__Exports__Polling__InitialDelay", "00:01:00", "RoleMining:Exports:Polling:InitialDelay must not exceed RoleMining:Exports:Polling:MaxDelay.", "serve", "--urls", "http://127.0.0.1:0", "--out", "exports")]
    [InlineData("RoleMining__Exports__MaxConcurrency", "0", "RoleMining:Exports:MaxConcurrency must be between 1 and 256.", "serve", "--urls", "http://127.0.0.1:0", "--out", "exports")]
    public async Task Workflow_settings_that_cannot_work_are_named_by_the_keys_the_command_line_reads(string variable, string value, string expected, params string[] args)
    {
        var settings = Tenant();
        settings[variable] = value;

        var result = await ChildProcess.RunCliAsync(args, settings, _directory.Path);

        Assert.Equal(ExitCodes.Configuration, result.ExitCode);
        Assert.Equal("Configuration error: " + expected, Assert.Single(result.ErrorLines));
    }

    [Fact]
    public async Task A_base_url_with_a_path_is_refused_naming_the_base_url_rule()
    {
        var variables = Tenant();
        variables["SAIL_BASE_URL"] = emulator.Server.BaseAddress + "v2024";

        var result = await ChildProcess.RunCliAsync(["sessions", "list"], variables, _directory.Path);

        result.AssertGot(OperatorMistakeCatalog.BaseUrlWithPath);
        Assert.Contains("SailPoint:BaseUrl", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
        Assert.DoesNotContain("credentials", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_config_file_that_is_not_JSON_is_named_with_the_line_and_column()
    {
        await File.WriteAllTextAsync(_directory.Combine("broken.json"), "{\n  \"SailPoint\": {\n    \"ClientId\": \"a\" \"x\": 1 } }");

        var result = await ChildProcess.RunCliAsync(["sessions", "list", "--config", "broken.json"], null, _directory.Path);

        result.AssertGot(OperatorMistakeCatalog.ConfigBadJson);
        var line = Assert.Single(result.ErrorLines);
        Assert.Contains("broken.json", line, StringComparison.Ordinal);
        Assert.Contains("line 3, column 21", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{ "RoleMining": { "Serve": { "AllowedHosts": "abc" } } }""", "RoleMining:Serve:AllowedHosts must be a list")]
    [InlineData("""{ "RoleMining": { "Sweep": { "SessionIds": [ { "id": "abc" } ] } } }""", "RoleMining:Sweep:SessionIds:0 must be a single value")]
    [InlineData("""{ "SailPoint": { "RateLimit": { "Enabled": { "value": true } } } }""", "SailPoint:RateLimit:Enabled must be a single value")]
    [InlineData("""{ "RoleMining": { "Exports": { "Polling": 5 } } }""", "RoleMining:Exports:Polling must be an object")]
    public async Task A_setting_of_the_wrong_JSON_type_is_named_by_its_key(string json, string expected)
    {
        await File.WriteAllTextAsync(_directory.Combine("types.json"), json);

        var result = await ChildProcess.RunCliAsync(["export", "--all", "--config", "types.json"], Tenant(), _directory.Path);

        Assert.Equal(ExitCodes.Configuration, result.ExitCode);
        Assert.Contains(expected, Assert.Single(result.ErrorLines), StringComparison.Ordinal);
        Assert.False(Directory.Exists(_directory.Combine("exports")), "nothing may be exported");
    }

    [Fact]
    public async Task The_wrong_type_row_of_the_table()
    {
        var variables = Tenant();
        await File.WriteAllTextAsync(_directory.Combine("types.json"), """{ "RoleMining": { "Serve": { "AllowedHosts": "abc" } } }""");

        var result = await ChildProcess.RunCliAsync(["sweep", "--config", "types.json"], variables, _directory.Path);

        result.AssertGot(OperatorMistakeCatalog.ConfigWrongType);
    }

    [Theory]
    [InlineData("--min-popularity", "abc", "--min-popularity must be a whole number, not 'abc'")]
    public async Task An_option_value_of_the_wrong_type_names_the_option_and_the_rule(string option, string value, string expected)
    {
        var result = await ChildProcess.RunCliAsync(["export", "--session", "s1", option, value], Tenant(), _directory.Path);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_option_type_row_of_the_table()
    {
        var result = await ChildProcess.RunCliAsync(["export", "--session", "s1", "--min-popularity", "abc"], Tenant(), _directory.Path);

        result.AssertGot(OperatorMistakeCatalog.OptionNotANumber);
    }

    [Fact]
    public async Task Emulator_with_a_seed_that_is_not_a_number_is_a_usage_error()
    {
        var result = await ChildProcess.RunCliAsync(["emulator", "--urls", "http://127.0.0.1:0", "--seed", "abc"], null, _directory.Path);

        result.AssertGot(OperatorMistakeCatalog.EmulatorBadSeed);
        Assert.Single(result.ErrorLines, line => !line.StartsWith("Run 'rolemining", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(new[] { "--urls", "notaurl" }, 2, "--urls 'notaurl' is not an http:// URL")]
    [InlineData(new[] { "--urls", "http://127.0.0.1:0", "--sesions", "3" }, 2, "Unknown emulator option '--sesions'; did you mean --sessions?")]
    [InlineData(new[] { "--urls", "http://127.0.0.1:0", "--sessions", "-3" }, 3, "Emulator:Tenant:SessionCount must be between 1 and 10000.")]
    [InlineData(new[] { "--urls", "http://127.0.0.1:0", "--rate-limit", "maybe" }, 2, "--rate-limit: Expected on or off, not 'maybe'.")]
    [InlineData(new[] { "--urls", "http://127.0.0.1:0", "--error-rate", "1" }, 2, "Unknown emulator option '--error-rate'")]
    [InlineData(new[] { "--urls", "http://127.0.0.1:0", "--Emulator:Tenant:Seeed", "1" }, 2, "Unknown emulator setting 'Seeed' (of EmulatorTenantOptions")]
    public async Task Emulator_mistakes_are_one_line_naming_the_option_or_key(string[] args, int exitCode, string expected)
    {
        var result = await ChildProcess.RunCliAsync(["emulator", .. args], null, _directory.Path);

        Assert.True(result.ExitCode == exitCode, result.ToString());
        Assert.Contains(expected, Assert.Single(result.ErrorLines), StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "--sed", "1" }, 2, "Unknown emulator option '--sed'; did you mean --seed?")]
    [InlineData(new[] { "--rate-limit-mode", "foo" }, 2, "--rate-limit-mode: Expected fixed or sliding, not 'foo'.")]
    [InlineData(new string[0], 3, "address already in use")]
    public async Task The_standalone_emulator_says_its_mistakes_in_one_line(string[] args, int exitCode, string expected)
    {
        // The last case listens on a port already taken.
        using var busy = new TcpListener(IPAddress.Loopback, 0);
        busy.Start();
        var port = ((IPEndPoint)busy.LocalEndpoint).Port;

        var result = await ChildProcess.RunAsync(ChildProcess.Emulator, ["--urls", $"http://127.0.0.1:{port}", .. args], null, _directory.Path);

        Assert.True(result.ExitCode == exitCode, result.ToString());
        Assert.Contains(expected, Assert.Single(result.ErrorLines), StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Error + result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_standalone_emulator_with_a_seed_that_is_not_a_number_says_so_and_exits_2()
    {
        var result = await ChildProcess.RunAsync(ChildProcess.Emulator, ["--urls", "http://127.0.0.1:0", "--seed", "abc"], null, _directory.Path);

        result.AssertGot(OperatorMistakeCatalog.EmulatorBadSeed);
        Assert.Single(result.ErrorLines);
    }

    [Theory]
    [InlineData("notaurl")]
    [InlineData("ftp://127.0.0.1:5090")]
    [InlineData("http://127.0.0.1:5090;bogus")]
    public async Task Serve_with_urls_that_are_not_urls_is_a_usage_error(string urls)
    {
        var result = await ChildProcess.RunCliAsync(["serve", "--urls", urls, "--out", "exports"], Tenant(), _directory.Path);

        result.AssertGot(OperatorMistakeCatalog.ServeBadUrl);
        Assert.Contains("--urls", result.ErrorLines[0], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("export", "--all")]
    [InlineData("sweep")]
    [InlineData("serve", "--urls", "http://127.0.0.1:0")]
    public async Task An_export_folder_set_in_the_configuration_to_a_file_is_a_configuration_error_naming_the_setting(params string[] args)
    {
        var file = _directory.Combine("afile");
        await File.WriteAllTextAsync(file, "not a folder");
        var variables = Tenant();
        variables["RoleMining__Exports__FileSystem__ArtifactRoot"] = file;

        var result = await ChildProcess.RunCliAsync(args, variables, _directory.Path);

        Assert.True(result.ExitCode == ExitCodes.Configuration, result.ToString());
        Assert.Contains($"RoleMining:Exports:FileSystem:ArtifactRoot '{file}' is a file; give a folder.", result.ErrorLines[0], StringComparison.Ordinal);
        Assert.Equal("not a folder", await File.ReadAllTextAsync(file));
    }

    [Theory]
    [InlineData("serve", "--out", "exports")]
    [InlineData("emulator")]
    public async Task Serving_https_is_a_usage_error_that_says_why(string command, params string[] rest)
    {
        var result = await ChildProcess.RunCliAsync([command, "--urls", "https://127.0.0.1:5090", .. rest], Tenant(), _directory.Path);

        result.AssertGot(OperatorMistakeCatalog.ServeHttps);
        Assert.StartsWith("--urls 'https://127.0.0.1:5090'", result.ErrorLines[0], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("serve", "--out", "exports")]
    [InlineData("emulator")]
    public async Task Serving_on_a_busy_port_says_so_in_one_line(string command, params string[] rest)
    {
        using var busy = new TcpListener(IPAddress.Loopback, 0);
        busy.Start();
        var port = ((IPEndPoint)busy.LocalEndpoint).Port;

        var result = await ChildProcess.RunCliAsync([command, "--urls", $"http://127.0.0.1:{port}", .. rest], Tenant(), _directory.Path);

        result.AssertGot(OperatorMistakeCatalog.ServePortBusy);
        Assert.Contains($"http://127.0.0.1:{port}", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_tenant_exits_4_in_one_line()
    {
        var variables = Tenant();
        variables["SAIL_BASE_URL"] = $"http://127.0.0.1:{FreePort.Next()}";

        var result = await ChildProcess.RunCliAsync(["sessions", "list"], variables, _directory.Path);

        result.AssertGot(OperatorMistakeCatalog.UnreachableTenant);
        Assert.Single(result.ErrorLines);
    }

    [Fact]
    public async Task Verbose_logs_never_print_null_for_a_missing_value()
    {
        var unknown = await ChildProcess.RunCliAsync(["sessions", "get", "00000000-0000-0000-0000-000000000000", "--verbose"], Tenant(), _directory.Path);
        var unreachableVariables = Tenant();
        unreachableVariables["SAIL_BASE_URL"] = $"http://127.0.0.1:{FreePort.Next()}";
        var unreachable = await ChildProcess.RunCliAsync(["sessions", "list", "--verbose"], unreachableVariables, _directory.Path);

        Assert.Equal(ExitCodes.Failed, unknown.ExitCode);
        Assert.Equal(ExitCodes.Unreachable, unreachable.ExitCode);
        Assert.DoesNotContain("(null)", unknown.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("(null)", unreachable.Error, StringComparison.Ordinal);
    }

    public void Dispose() => _directory.Dispose();


    private Dictionary<string, string> Tenant() => emulator.TenantVariables();
}
