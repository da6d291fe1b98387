using System.Text.RegularExpressions;
using RoleMining.Cli.Tests.Infrastructure;

namespace RoleMining.Cli.Tests.OperatorMistakes;

/// <summary>Azure Blob Storage mistakes of <c>export --blob-container</c>, each run as the real program in a child process.</summary>
[Collection(AzuriteTestGroup.Name)]
public sealed partial class BlobStorageMistakeTests(AzuriteFixture azurite, EmulatorFixture emulator) : IClassFixture<EmulatorFixture>, IDisposable
{
    private readonly TemporaryDirectory _directory = new();

    [Fact]
    public async Task A_container_name_without_a_connection_string_is_a_configuration_error()
    {
        var result = await ChildProcess.RunCliAsync(["export", "--all", "--blob-container", "exports"], emulator.TenantVariables(), _directory.Path);

        result.AssertGot(OperatorMistakeCatalog.BlobContainerNameOnly);
        Assert.False(Directory.Exists(_directory.Combine("exports")), "nothing may be exported");
    }

    [Fact]
    public async Task A_container_the_account_refuses_stops_the_command_before_any_SailPoint_export_without_showing_the_key()
    {
        // Azurite's account with another key: every request is refused with 403.
        const string wrongKey = "d3Jvbmcta2V5LXdyb25nLWtleS13cm9uZy1rZXktd3Jvbmcta2V5LXdyb25nLWtleQ==";
        var variables = emulator.TenantVariables();
        variables["RoleMining__Exports__Blob__ConnectionString"] = AccountKey().Replace(azurite.Server.ConnectionString, "AccountKey=" + wrongKey);
        var exportsBefore = emulator.Server.Statistics.ExportCreations;

        var result = await ChildProcess.RunCliAsync(["export", "--all", "--blob-container", AzuriteFixture.NewContainerName()], variables, _directory.Path);

        result.AssertGot(OperatorMistakeCatalog.BlobContainerRefused);
        Assert.Contains("403", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(wrongKey, result.Output + result.Error, StringComparison.Ordinal);
        Assert.Equal(exportsBefore, emulator.Server.Statistics.ExportCreations);
    }

    public void Dispose() => _directory.Dispose();

    [GeneratedRegex("AccountKey=[^;]+")]
    private static partial Regex AccountKey();
}
