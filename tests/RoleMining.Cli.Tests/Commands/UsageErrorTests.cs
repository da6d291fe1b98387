using RoleMining.Cli.Hosting;
using RoleMining.Cli.Tests.Infrastructure;

namespace RoleMining.Cli.Tests.Commands;

/// <summary>Bad arguments: a clear message on standard error, exit code 2, nothing written, no tenant contacted.</summary>
public sealed class UsageErrorTests : IDisposable
{
    private readonly TemporaryDirectory _directory = new();

    // No tenant is configured: had any of these runs got past argument checking, it would start the built-in emulator
    // and say so on standard error; the tests check that it did not.
    private CliRunner Runner => new(_directory.Path);

    public static TheoryData<string[], string> BadArguments => new()
    {
        { ["sessions", "list", "--bogus"], "--bogus" },
        { ["sessions", "list", "--client-secret", "s3cr3t"], "--client-secret" },
        { ["identities", "--role", "r1"], "--session" },
        { ["identities", "--session", "s1"], "--role" },
        { ["roles", "list"], "--session" },
        { ["sessions", "list", "--format", "xml"], "--format must be table, json or csv, not 'xml'" },
        { ["identities", "-s", "s1", "-r", "r1", "--format", "yaml"], "--format must be table, json or csv" },
        { ["sessions"], "Required command" },
        { ["nosuchcommand"], "nosuchcommand" },
        { ["sessions", "get"], "Required argument missing" },
        { ["export", "--session", "s1", "--min-popularity", "-5"], "--min-popularity must be between 0 and 100, not -5" },
        { ["export", "--session", "s1", "--min-popularity", "101"], "--min-popularity must be between 0 and 100" },
        { ["export", "--session", "s1", "--min-popularity", "many"], "many" },
        { ["export", "--session", "s1", "--min-popularity", "99999999999"], "--min-popularity: '99999999999' is out of range." },
        { ["export", "--session", "s1", "--min-popularity", "-99999999999"], "--min-popularity: '-99999999999' is out of range." },
        { ["export", "--session", "s1", "--include-common-access", "maybe"], "--include-common-access takes true or false (or no value, meaning true), not 'maybe'." },
        { ["export", "--session", "s1", "--include-common-access=yes"], "--include-common-access takes true or false" },
        { ["export", "--session"], "Required argument missing for option: '--session'." },
        { ["export", "--role"], "Required argument missing for option: '--role'." },
        { ["export", "--session", "s1", "--role"], "Required argument missing for option: '--role'." },
        { ["export", "--role", "r1"], "--role needs --session" },
        { ["export", "--session", "s1", "--role", "r1", "--all"], "either --role or --all" },
        { ["export"], "--session ID" },
        { ["export", "--session", "../etc", "--all"], "'../etc' is not a valid SailPoint id" },
        { ["sweep", "--bogus"], "--bogus" },
        { ["export", "--all", "--session", "s1", "--out", ""], "--out needs a folder." },
        { ["sessions", "list", "--out", " "], "--out needs a file name" },
        // A '~' the shell did not expand (quoted, or --out=~/...): named, and no folder called '~' created.
        { ["sessions", "list", "--out", "~/sessions.csv"], "--out '~/sessions.csv': '~' is expanded by the shell only at the start of an unquoted word (not in quotes, nor after '=' as in --out=~/...): give the full path, e.g. $HOME/sessions.csv." },
        { ["export", "--all", "--out", "~/exports"], "--out '~/exports': '~' is expanded by the shell only at the start of an unquoted word" },
        { ["sweep", "--out", "~"], "e.g. $HOME." },
    };

    [Fact]
    public async Task An_export_folder_that_is_a_dangling_symbolic_link_is_named_as_such()
    {
        var link = _directory.Combine("exports");
        File.CreateSymbolicLink(link, _directory.Combine("gone", "exports"));

        var direct = await Runner.RunAsync("export", "--all", "--out", "exports");
        var below = await Runner.RunAsync("export", "--all", "--out", "exports/more");

        Assert.Equal(ExitCodes.Usage, direct.ExitCode);
        Assert.Equal($"--out 'exports' is a symbolic link to '{_directory.Combine("gone", "exports")}', which does not exist; create that folder or give another.", direct.ErrorLines[0]);
        Assert.Equal(ExitCodes.Usage, below.ExitCode);
        Assert.Equal($"--out 'exports/more' is below '{link}', a symbolic link to '{_directory.Combine("gone", "exports")}', which does not exist.", below.ErrorLines[0]);
    }

    [Theory]
    [MemberData(nameof(BadArguments))]
    public async Task Bad_arguments_exit_with_2_and_say_what_is_wrong(string[] args, string expectedInMessage)
    {
        var result = await Runner.RunAsync(args);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains(expectedInMessage, result.Error, StringComparison.Ordinal);
        Assert.Contains(result.ErrorLines, line => line.StartsWith("Run 'rolemining", StringComparison.Ordinal) && line.EndsWith("--help' for usage.", StringComparison.Ordinal));
        Assert.DoesNotContain("emulator", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
        Assert.Empty(result.Output);
        Assert.Empty(_directory.Files());
    }

    [Fact]
    public async Task An_out_folder_below_a_file_is_a_usage_error_naming_the_file()
    {
        await File.WriteAllTextAsync(_directory.Combine("afile"), "x");

        var result = await Runner.RunAsync("export", "--session", "s1", "--all", "--out", "afile/sub");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("is a file, not a folder", result.Error, StringComparison.Ordinal);
        Assert.Contains("afile", result.Error, StringComparison.Ordinal);
        Assert.Equal(["afile"], _directory.Files());
    }

    [Theory]
    [InlineData("export", "--session", "s1", "--all")]
    [InlineData("sweep")]
    [InlineData("serve")]
    public async Task Out_dash_for_a_command_that_writes_a_folder_is_a_usage_error(params string[] args)
    {
        var result = await Runner.RunAsync([.. args, "--out", "-"]);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.StartsWith("--out '-' is standard output", result.ErrorLines[0], StringComparison.Ordinal);
        Assert.Empty(_directory.Files());
        Assert.False(Directory.Exists(_directory.Combine("-")));
    }

    [Theory]
    [InlineData("--client-secret", "s3cr3t-value")]
    [InlineData("--client-secret=s3cr3t-value")]
    [InlineData("--client-secret:s3cr3t-value")]
    [InlineData("--client-secret:s3cr3t-value==")]
    [InlineData("--client-secret=s3cr3t-value:x")]
    [InlineData("--client-secret=", "s3cr3t-value")]
    [InlineData("--SailPoint:ClientSecret", "s3cr3t-value")]
    [InlineData("--SailPoint:ClientSecret=s3cr3t-value")]
    [InlineData("--RoleMining:Serve:AccessToken", "s3cr3t-value")]
    [InlineData("--client-secret", "-s3cr3t-value")] // URL-safe base64 may begin with '-'
    [InlineData("--client-secret", "s3cr3t-value  with   spaces")] // the library's message collapses the spaces
    [InlineData("--RoleMining:Exports:Blob:ConnectionString", "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=s3cr3t-value==;EndpointSuffix=core.windows.net")]
    [InlineData("--connection-string", "AccountKey=s3cr3t-value")]
    [InlineData("--out", "https://a.blob.core.windows.net/c?sv=2024-08-04&sig=s3cr3t-value", "extra")] // a SAS URL after any option
    [InlineData("--out", "https://a.blob.core.windows.net/c?sv=2024-08-04&sig=s3cr3t-value")] // parses: --out's own error would echo it
    [InlineData("--filter", "name eq \"DefaultEndpointsProtocol=https;AccountName=a;AccountKey=s3cr3t-value\"")]
    [InlineData("https://a.blob.core.windows.net/c?sp=r&sig=s3cr3t-value")]
    public async Task A_secret_given_on_the_command_line_is_never_echoed(params string[] secret)
    {
        var result = await Runner.RunAsync(["sessions", "list", .. secret]);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.DoesNotContain("s3cr3t-value", result.Error + result.Output, StringComparison.Ordinal);
        Assert.Contains("Secrets are never accepted on the command line", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("'-s'", "roles", "list", "--token", "-s")] // an option after a secret-named one is no secret
    [InlineData("'-s'", "roles", "list", "--client-secret", "--verbose", "-s")]
    [InlineData("xlsx", "sessions", "list", "--filter=name eq Kansas", "--format=xlsx")] // 'sas' inside a value names no secret
    [InlineData("xlsx", "sessions", "list", "--filter:name eq Kansas", "--format", "xlsx")]
    public async Task An_argument_that_only_looks_near_a_secret_is_named_in_the_error(string named, params string[] args)
    {
        var result = await Runner.RunAsync(args);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains(named, result.Error, StringComparison.Ordinal);
        if (!args.Any(argument => argument.Contains("secret", StringComparison.Ordinal) || argument.Contains("token", StringComparison.Ordinal)))
        {
            Assert.DoesNotContain("Secrets are never accepted", result.Error, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("ID", "sessions", "get", "..")]
    [InlineData("ID", "sessions", "get", ".")]
    [InlineData("ID", "sessions", "get", "")]
    [InlineData("--session", "roles", "list", "-s", "..")]
    [InlineData("--role", "identities", "-s", "s1", "-r", "a/b")]
    [InlineData("--session", "export", "--session", "..", "--all")]
    [InlineData("--role", "export", "--session", "s1", "--role", "../x")]
    public async Task An_id_that_cannot_be_one_is_a_usage_error_naming_the_option(string option, params string[] args)
    {
        var result = await Runner.RunAsync(args);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.StartsWith($"{option} '", result.ErrorLines[0], StringComparison.Ordinal);
        Assert.Contains("is not a valid SailPoint id", result.ErrorLines[0], StringComparison.Ordinal);
        Assert.Empty(_directory.Files());
    }

    [Fact]
    public async Task Out_into_a_missing_directory_is_a_usage_error_and_writes_nothing()
    {
        var result = await Runner.RunAsync("sessions", "list", "--out", Path.Combine("missing", "sessions.csv"));

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("does not exist", result.ErrorLines[0], StringComparison.Ordinal);
        Assert.Equal("Run 'rolemining sessions list --help' for usage.", result.ErrorLines[1]);
        Assert.Empty(_directory.Files());
        Assert.False(Directory.Exists(_directory.Combine("missing")));
    }

    [Fact]
    public async Task Help_names_the_command_rolemining_and_lists_the_exit_codes_and_the_secret_rule()
    {
        var result = await Runner.RunAsync("--help");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Contains("rolemining [command] [options]", result.Output, StringComparison.Ordinal);
        Assert.Contains("130 cancelled", result.Output, StringComparison.Ordinal);
        Assert.Contains("3 configuration error", result.Output, StringComparison.Ordinal);
        Assert.Contains("Secrets are never accepted on the command line", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_help_of_out_mentions_blob_containers_only_where_the_command_has_the_option()
    {
        var serve = await Runner.RunAsync("serve", "--help");
        var export = await Runner.RunAsync("export", "--help");

        Assert.Equal(ExitCodes.Success, serve.ExitCode);
        Assert.DoesNotContain("blob-container", serve.Output, StringComparison.Ordinal);
        Assert.Contains("only these with --blob-container", export.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Cancelling_a_command_says_only_that_it_was_cancelled()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        var (exitCode, message) = CliErrors.Classify(new OperationCanceledException(cancelled.Token), cancelled.Token);

        Assert.Equal(ExitCodes.Cancelled, exitCode);
        Assert.Equal("Cancelled.", message);
    }

    [Theory]
    [InlineData(false, true)]
    [InlineData(true, false)]
    public void An_unexpected_error_suggests_verbose_only_when_it_was_not_given(bool verbose, bool suggests)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exitCode = CliErrors.Report(new NotSupportedException("no such thing"), new CliConsole(output, error, isOutputTerminal: false), verbose, CancellationToken.None);

        Assert.Equal(ExitCodes.Failed, exitCode);
        var first = error.ToString().Split(Environment.NewLine)[0];
        Assert.StartsWith("Unexpected error (NotSupportedException): no such thing", first, StringComparison.Ordinal);
        Assert.Equal(suggests, first.Contains("--verbose", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Help_of_a_subcommand_works_without_its_required_options()
    {
        var result = await Runner.RunAsync("identities", "--help");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Contains("--session", result.Output, StringComparison.Ordinal);
        Assert.Contains("rolemining identities", result.Output, StringComparison.Ordinal);
    }

    public void Dispose() => _directory.Dispose();
}
