using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using RoleMining.Emulator;
using RoleMining.SailPoint;

namespace RoleMining.Exports.Tests.Support;

/// <summary>Checks of what a job left in the stores, made from the files and the emulator, not from the workflow's code.</summary>
internal static class ExportAssertions
{
    /// <summary>Potential roles of complete sessions, in a stable order.</summary>
    public static IReadOnlyList<TenantPotentialRole> CompletedRoles(this EmulatorServer emulator) =>
        emulator.Tenant.PotentialRoles
            .Where(role => role.Session.State == SessionStates.PotentialRolesCreated)
            .OrderBy(role => role.Session.Index).ThenBy(role => role.Index)
            .ToList();

    /// <summary>
    /// The job succeeded, and its folder is complete and consistent: the manifest lists exactly the zip and the expected
    /// CSV files; each file has the size and SHA-256 the manifest says; no staging file is left; the identities file has
    /// one row per identity of the role. Returns the zip's bytes.
    /// </summary>
    public static async Task<byte[]> AssertSucceededAndCompleteAsync(this WorkflowHarness harness, ExportJob job)
    {
        Assert.True(job.State == ExportJobState.Succeeded, $"Job {job.JobId} is {job.State}: {job.Failure?.Reason}");
        Assert.NotNull(job.ExportId);
        Assert.Null(job.Lease);
        var folder = $"{job.SessionId}/{job.PotentialRoleId}/{job.JobId}";
        var files = harness.Root.Files(folder);
        Assert.Equal(
            new[] { "entitlements.csv", "export.zip", "identities.csv", "manifest.json" }.Select(name => folder + "/" + name),
            files);

        await using var manifestStream = File.OpenRead(harness.Root.Combine(folder, "manifest.json"));
        var manifest = await ExportsJson.DeserializeManifestAsync(manifestStream);
        Assert.Equal(job.JobId, manifest.JobId);
        Assert.Equal(job.ExportId, manifest.ExportId);
        Assert.Equal(job.SessionId, manifest.SessionId);
        Assert.Equal(job.PotentialRoleId, manifest.PotentialRoleId);
        Assert.Equal(job.Options, manifest.Options);
        Assert.Equal(job.Artifacts, manifest.Files);
        Assert.Equal(["export.zip", "identities.csv", "entitlements.csv"], manifest.Files.Select(file => file.Name));

        foreach (var file in manifest.Files)
        {
            Assert.Equal(folder + "/" + file.Name, file.Path);
            var bytes = await File.ReadAllBytesAsync(harness.Root.Combine(folder, file.Name));
            Assert.Equal(file.Size, bytes.LongLength);
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), file.Sha256);
        }

        var role = harness.Emulator.Tenant.FindPotentialRole(job.PotentialRoleId)!;
        var identityLines = File.ReadLines(harness.Root.Combine(folder, "identities.csv")).Count(line => line.Length > 0);
        Assert.Equal(role.IdentityCount, identityLines - 1);
        Assert.Equal(role.IdentityCount, manifest.Files.Single(file => file.Name == "identities.csv").RowCount);
        var expectedEntitlements = harness.Emulator.Tenant.GetEntitlements(role)
            .Count(entitlement => entitlement.Popularity >= (job.Options.MinEntitlementPopularity ?? 0)
                && ((job.Options.IncludeCommonAccess ?? true) || !entitlement.IsCommonAccess));
        Assert.Equal(expectedEntitlements, manifest.Files.Single(file => file.Name == "entitlements.csv").RowCount);
        return await File.ReadAllBytesAsync(harness.Root.Combine(folder, "export.zip"));
    }

    /// <summary>The zip as the emulator serves it for <paramref name="exportId"/>, fetched outside the workflow (faults must be off).</summary>
    public static async Task<byte[]> DirectDownloadAsync(this WorkflowHarness harness, string sessionId, string potentialRoleId, string exportId)
    {
        await using var provider = harness.DirectClientProvider();
        var client = provider.GetRequiredService<IRoleMiningClient>();
        await using var download = await client.DownloadExportAsync(sessionId, potentialRoleId, exportId);
        using var buffer = new MemoryStream();
        await download.Content.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    /// <summary>A failed job left nothing behind: no manifest, no partial file, not even its emptied folder.</summary>
    public static void AssertNothingStored(this WorkflowHarness harness, ExportJob job)
    {
        Assert.Equal(ExportJobState.Failed, job.State);
        Assert.NotNull(job.Failure);
        Assert.Empty(harness.Root.Files($"{job.SessionId}/{job.PotentialRoleId}/{job.JobId}"));
        Assert.False(Directory.Exists(harness.Root.Combine(job.SessionId, job.PotentialRoleId, job.JobId)), "The failed job's folder is still there.");
    }

    /// <summary>Turns every fault off (the live options object).</summary>
    public static void ClearFaults(this EmulatorServer emulator)
    {
        emulator.Faults.Default = new EmulatorRouteFaultOptions();
        emulator.Faults.Routes.Clear();
    }
}
