using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Azure.Storage.Blobs;
using RoleMining.Cli.Exports;
using RoleMining.Cli.Hosting;
using RoleMining.Cli.Tests.Infrastructure;

namespace RoleMining.Cli.Tests.Exports;

/// <summary><c>export --blob-container</c>: the same workflow, with artifacts in an Azure Blob container (Azurite).</summary>
[Collection(AzuriteTestGroup.Name)]
public sealed partial class BlobExportTests(AzuriteFixture azurite)
{
    private const string ConnectionStringVariable = "RoleMining__Exports__Blob__ConnectionString";

    [Fact]
    public async Task Exporting_to_a_container_stores_verified_artifacts_there_and_only_job_documents_in_the_folder()
    {
        await using var environment = await ExportTestEnvironment.StartAsync();
        var session = environment.CompleteSession;
        var roles = session.PotentialRoles.Take(2).ToList();
        var containerName = AzuriteFixture.NewContainerName();

        // The container does not exist yet: the command creates it.
        var result = await environment.CreateRunner().With(ConnectionStringVariable, azurite.Server.ConnectionString).RunAsync(
            "export", "--session", session.Id, "--role", roles[0].Id, "--role", roles[1].Id, "--blob-container", containerName);

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        var container = azurite.Server.Blobs().GetBlobContainerClient(containerName);
        var blobs = await ListAsync(container);
        foreach (var role in roles)
        {
            var prefix = $"{session.Id}/{role.Id}/";
            var manifestPath = Assert.Single(blobs, name => name.StartsWith(prefix, StringComparison.Ordinal) && name.EndsWith("/manifest.json", StringComparison.Ordinal));
            using var manifest = JsonDocument.Parse(await DownloadAsync(container, manifestPath));
            var files = manifest.RootElement.GetProperty("files").EnumerateArray().ToList();
            Assert.Contains(files, file => file.GetProperty("name").GetString() == "export.zip");
            foreach (var file in files)
            {
                // Every file the manifest lists is there, byte for byte what was verified.
                var content = await DownloadAsync(container, file.GetProperty("path").GetString()!);
                Assert.Equal(file.GetProperty("size").GetInt64(), content.Length);
                Assert.Equal(file.GetProperty("sha256").GetString(), Convert.ToHexStringLower(SHA256.HashData(content)));
            }

            var identitiesPath = files.Single(file => file.GetProperty("name").GetString() == "identities.csv").GetProperty("path").GetString()!;
            var identities = Csv.Parse(System.Text.Encoding.UTF8.GetString(await DownloadAsync(container, identitiesPath))).Rows;
            Assert.Equal(environment.Server.Tenant.GetIdentities(role).Select(identity => identity.Id), identities.Select(row => row["id"]));
            Assert.Equal(1, environment.Server.Statistics.ExportCreationsFor(session.Id, role.Id));
        }

        // Nothing staged is left behind, and the folder holds the job documents (and the run's lock) only.
        Assert.DoesNotContain(blobs, name => name.Contains("/.staging/", StringComparison.Ordinal));
        Assert.False(Directory.Exists(Path.Combine(environment.OutDirectory, session.Id)));
        Assert.Empty(Directory.GetFiles(environment.OutDirectory, "*.csv", SearchOption.AllDirectories));
        Assert.Empty(Directory.GetFiles(environment.OutDirectory, "*.zip", SearchOption.AllDirectories));
        // The container's jobs are kept apart from jobs of files (which JobDocuments reads).
        Assert.Empty(environment.JobDocuments());
        var jobFolder = Assert.Single(Directory.GetDirectories(Path.Combine(environment.OutDirectory, ".jobs", "blob")));
        Assert.EndsWith("_" + containerName, jobFolder, StringComparison.Ordinal);
        Assert.Equal(2, Directory.GetFiles(jobFolder, "*.json").Length);
        Assert.Contains($"2 succeeded, 0 failed. Artifacts in {container.Uri.GetLeftPart(UriPartial.Path)}", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_rerun_to_the_same_container_keeps_the_finished_export_and_starts_no_new_SailPoint_export()
    {
        await using var environment = await ExportTestEnvironment.StartAsync();
        var session = environment.CompleteSession;
        var role = session.PotentialRoles[0];
        var containerName = AzuriteFixture.NewContainerName();
        var runner = environment.CreateRunner()
            .With(ConnectionStringVariable, azurite.Server.ConnectionString)
            .With("RoleMining__Exports__Blob__Container", containerName);

        // The container named by configuration alone, without the option.
        var first = await runner.RunAsync("export", "-s", session.Id, "-r", role.Id);
        var second = await runner.RunAsync("export", "-s", session.Id, "-r", role.Id);

        Assert.True(first.ExitCode == ExitCodes.Success, first.ToString());
        Assert.True(second.ExitCode == ExitCodes.Success, second.ToString());
        Assert.Equal(1, environment.Server.Statistics.ExportCreations);
        var blobs = await ListAsync(azurite.Server.Blobs().GetBlobContainerClient(containerName));
        Assert.Single(blobs, name => name.EndsWith("/manifest.json", StringComparison.Ordinal));
        Assert.Contains("1 succeeded, 0 failed.", second.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_export_to_files_does_not_count_for_a_container_and_each_keeps_its_own_jobs()
    {
        await using var environment = await ExportTestEnvironment.StartAsync();
        var session = environment.CompleteSession;
        var role = session.PotentialRoles[0];
        var containerName = AzuriteFixture.NewContainerName();
        var runner = environment.CreateRunner().With(ConnectionStringVariable, azurite.Server.ConnectionString);
        string[] toFiles = ["export", "-s", session.Id, "-r", role.Id];
        string[] toContainer = [.. toFiles, "--blob-container", containerName];

        var files = await runner.RunAsync(toFiles);
        var container = await runner.RunAsync(toContainer);
        var filesAgain = await runner.RunAsync(toFiles);
        var containerAgain = await runner.RunAsync(toContainer);

        foreach (var result in new[] { files, container, filesAgain, containerAgain })
        {
            Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        }

        // The container got an export of its own (the files' export is not taken for it), and each rerun found its own.
        Assert.Equal(2, environment.Server.Statistics.ExportCreations);
        Assert.Single(environment.CompleteJobFolders(session.Id, role.Id));
        var blobs = await ListAsync(azurite.Server.Blobs().GetBlobContainerClient(containerName));
        Assert.Single(blobs, name => name.EndsWith("/manifest.json", StringComparison.Ordinal));
        Assert.Single(environment.JobDocuments());
    }

    [Fact]
    public async Task Runs_from_two_folders_into_one_container_write_to_job_folders_of_their_own()
    {
        await using var environment = await ExportTestEnvironment.StartAsync();
        var session = environment.CompleteSession;
        var role = session.PotentialRoles[0];
        var containerName = AzuriteFixture.NewContainerName();
        var runner = environment.CreateRunner().With(ConnectionStringVariable, azurite.Server.ConnectionString);

        // Two machines or two --out folders plan the same first job for the role; its id must not name one folder for both.
        var first = await runner.RunAsync("export", "-s", session.Id, "-r", role.Id, "--out", "first", "--blob-container", containerName);
        var second = await runner.RunAsync("export", "-s", session.Id, "-r", role.Id, "--out", "second", "--blob-container", containerName);

        Assert.True(first.ExitCode == ExitCodes.Success, first.ToString());
        Assert.True(second.ExitCode == ExitCodes.Success, second.ToString());
        var container = azurite.Server.Blobs().GetBlobContainerClient(containerName);
        var manifests = (await ListAsync(container)).Where(name => name.EndsWith("/manifest.json", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, manifests.Count);
        foreach (var manifestPath in manifests)
        {
            // Each folder is whole: every file its manifest lists, byte for byte.
            using var manifest = JsonDocument.Parse(await DownloadAsync(container, manifestPath));
            foreach (var file in manifest.RootElement.GetProperty("files").EnumerateArray())
            {
                var content = await DownloadAsync(container, file.GetProperty("path").GetString()!);
                Assert.Equal(file.GetProperty("sha256").GetString(), Convert.ToHexStringLower(SHA256.HashData(content)));
            }
        }

        Assert.Equal(2, environment.Server.Statistics.ExportCreations);
    }

    [Fact]
    public async Task A_run_failing_before_its_first_job_removes_the_folder_it_created_job_id_scope_included_but_not_one_that_existed()
    {
        await using var environment = await ExportTestEnvironment.StartAsync();
        var existing = Directory.CreateDirectory(environment.Directory.Combine("existing")).FullName;
        var runner = environment.CreateRunner().With(ConnectionStringVariable, azurite.Server.ConnectionString);
        // Azurite's account with another key: the container check is refused with 403 before anything starts at SailPoint.
        var refusing = environment.CreateRunner().With(ConnectionStringVariable, AccountKey().Replace(azurite.Server.ConnectionString, "AccountKey=" + Convert.ToBase64String(new byte[64])));

        var refused = await refusing.RunAsync("export", "--all", "--blob-container", AzuriteFixture.NewContainerName(), "--out", "refused/below");
        var unknownSession = await runner.RunAsync("export", "--session", "no-such-session", "--all", "--blob-container", AzuriteFixture.NewContainerName(), "--out", "unknown");
        var given = await runner.RunAsync("export", "--session", "no-such-session", "--all", "--blob-container", AzuriteFixture.NewContainerName(), "--out", "existing");

        Assert.Equal(ExitCodes.Failed, refused.ExitCode);
        Assert.Contains("403", refused.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Failed, unknownSession.ExitCode);
        Assert.Contains("no-such-session", unknownSession.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Failed, given.ExitCode);
        // The created folders went with their lock and the job folder's job-id-scope; the given one keeps what the run wrote.
        Assert.Equal(["existing"], Directory.GetFileSystemEntries(environment.Directory.Path).Select(Path.GetFileName));
        Assert.Single(Directory.GetFiles(existing, JobIdScopeFile.FileName, SearchOption.AllDirectories));
        Assert.Equal(0, environment.Server.Statistics.ExportCreations);
    }

    private static async Task<List<string>> ListAsync(BlobContainerClient container)
    {
        var names = new List<string>();
        await foreach (var blob in container.GetBlobsAsync())
        {
            names.Add(blob.Name);
        }

        return names;
    }

    private static async Task<byte[]> DownloadAsync(BlobContainerClient container, string path) =>
        (await container.GetBlobClient(path).DownloadContentAsync()).Value.Content.ToArray();

    [GeneratedRegex("AccountKey=[^;]+")]
    private static partial Regex AccountKey();
}
