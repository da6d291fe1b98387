using RoleMining.Cli.Hosting;
using RoleMining.Cli.Tests.Infrastructure;

namespace RoleMining.Cli.Tests.Exports;

/// <summary>What <c>--blob-container</c> and <c>RoleMining:Exports:Blob</c> say about values they cannot use.</summary>
public sealed class BlobContainerMistakeTests
{
    private const string AccountKey = "c2VjcmV0LWFjY291bnQta2V5LXNlY3JldC1hY2NvdW50LWtleQ==";

    private static readonly string ConnectionString =
        $"DefaultEndpointsProtocol=https;AccountName=account1;AccountKey={AccountKey};EndpointSuffix=core.windows.net";

    [Theory]
    [InlineData("export", "https://account1.blob.core.windows.net/exports?sv=2024-01-01&sig=abc", "looks like a connection string or a URL with a query")]
    [InlineData("export", "https://account1.blob.core.windows.net/exports#fragment", "without a query")]
    [InlineData("export", "https://user:password@account1.blob.core.windows.net/exports", "without a user name or password")]
    [InlineData("export", "https://storage.example.com/exports", "must be a container of Azure Blob Storage")]
    [InlineData("export", "https://blob.core.windows.net/exports", "must be a container of Azure Blob Storage")]
    [InlineData("export", "http://account1.blob.core.windows.net/exports", "must be an https:// URL")]
    [InlineData("export", "https://account1.blob.core.windows.net/exports/folder/file.zip", "must name a container, and nothing below it")]
    [InlineData("export", "https://account1.blob.core.windows.net/Exports_1", "which is not a valid container name")]
    [InlineData("export", "My_Exports", "is neither a container URL")]
    [InlineData("export", "ex", "is neither a container URL")]
    [InlineData("export", "exports--1", "is neither a container URL")]
    [InlineData("sweep", "-exports", "is neither a container URL")]
    public async Task A_value_that_is_no_container_is_a_usage_error_naming_the_option(string command, string value, string expected)
    {
        using var directory = new TemporaryDirectory();
        string[] args = command == "export" ? ["export", "--all", "--blob-container", value] : ["sweep", "--blob-container", value];

        var result = await new CliRunner(directory.Path).RunAsync(args);

        Assert.True(result.ExitCode == ExitCodes.Usage, result.ToString());
        Assert.Contains("--blob-container", result.Error, StringComparison.Ordinal);
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(directory.Path));
    }

    [Fact]
    public async Task A_connection_string_given_as_the_container_is_refused_without_showing_it()
    {
        using var directory = new TemporaryDirectory();

        var result = await new CliRunner(directory.Path).RunAsync("export", "--all", "--blob-container", ConnectionString);

        Assert.True(result.ExitCode == ExitCodes.Usage, result.ToString());
        Assert.Contains("looks like a connection string", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(AccountKey, result.Output + result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("account1", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_container_URL_without_an_Entra_identity_to_sign_in_with_ends_in_one_line_before_any_SailPoint_export()
    {
        await using var environment = await ExportTestEnvironment.StartAsync();

        // DefaultAzureCredential finds no identity here (no AZURE_* variables, no managed identity). Where a developer is
        // signed in to the Azure CLI, it gets a token and the account's name does not resolve: both are exit 1.
        var result = await environment.CreateRunner().RunAsync("export", "--all", "--blob-container", "https://rolemininguntestedaccount.blob.core.windows.net/exports");

        Assert.True(result.ExitCode == ExitCodes.Failed, result.ToString());
        var line = Assert.Single(result.ErrorLines, line => line.Contains("rolemininguntestedaccount", StringComparison.Ordinal));
        Assert.True(line.StartsWith("No Entra identity could sign in to https://rolemininguntestedaccount.blob.core.windows.net/exports", StringComparison.Ordinal)
            || line.StartsWith("Azure Blob Storage at https://rolemininguntestedaccount.blob.core.windows.net/exports could not be reached", StringComparison.Ordinal), line);
        Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
        Assert.Equal(0, environment.Server.Statistics.ExportCreations);
    }

    [Theory]
    [InlineData("https://account1.blob.core.windows.net/exports", "valid", "is a container URL, which is reached with an Entra identity, while RoleMining:Exports:Blob:ConnectionString is set")]
    [InlineData("exports", "AccountName=account1;AccountKey=" + AccountKey + ";NoSuchSetting", "is not a storage account connection string")]
    public async Task Settings_that_do_not_name_one_container_are_a_configuration_error_that_never_shows_the_key(string container, string connectionString, string expected)
    {
        await using var environment = await ExportTestEnvironment.StartAsync();
        var runner = environment.CreateRunner().With("RoleMining__Exports__Blob__ConnectionString", connectionString == "valid" ? ConnectionString : connectionString);
        var result = await runner.RunAsync("export", "--all", "--blob-container", container);

        Assert.True(result.ExitCode == ExitCodes.Configuration, result.ToString());
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(AccountKey, result.Output + result.Error, StringComparison.Ordinal);
        Assert.Equal(0, environment.Server.Statistics.ExportCreations);
    }
}
