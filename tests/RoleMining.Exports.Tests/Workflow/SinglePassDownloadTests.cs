using System.IO.Compression;
using System.Text;
using Microsoft.Extensions.Logging.Testing;
using RoleMining.Emulator;
using RoleMining.Exports.Tests.Support;

namespace RoleMining.Exports.Tests.Workflow;

/// <summary>
/// The download step end to end with its one pass: the zip is stored, verified and unpacked while it downloads, storage
/// is never read back for a normal export, and a zip that fails verification in that pass leaves nothing behind.
/// </summary>
public sealed class SinglePassDownloadTests
{
    [Theory]
    [InlineData(CompressionLevel.NoCompression)]
    [InlineData(CompressionLevel.Optimal)]
    public async Task An_export_is_stored_verified_and_unpacked_without_reading_storage_back(CompressionLevel compression)
    {
        HookedArtifactStore? store = null;
        var logs = new FakeLogCollector();
        await using var harness = await WorkflowHarness.StartAsync(new HarnessSettings
        {
            Emulator = options => options.Exports.Compression = compression,
            Artifacts = inner => store = new HookedArtifactStore(inner),
            Logs = new FakeLoggerProvider(logs),
        });
        var role = harness.Emulator.CompletedRoles()[0];

        var job = await RunAsync(harness, role);

        var stored = await harness.AssertSucceededAndCompleteAsync(job);
        Assert.Equal(await harness.DirectDownloadAsync(job.SessionId, job.PotentialRoleId, job.ExportId!), stored);
        Assert.DoesNotContain(store!.Reads, path => ExportArtifactLayout.IsStagingPath(path));
        Assert.DoesNotContain("verifying the stored copy instead", logs.AllText(), StringComparison.Ordinal);
        Assert.Equal(role.IdentityCount, job.Artifacts.Single(file => file.Name == "identities.csv").RowCount);
        Assert.All(store.Writes, write => Assert.True(write.Completed, $"'{write.Path}' was not completed."));
    }

    [Fact]
    public async Task A_zip_the_stream_cannot_follow_is_verified_from_storage_and_still_stored_byte_for_byte()
    {
        var logs = new FakeLogCollector();
        byte[]? served = null;
        await using var harness = await WorkflowHarness.StartAsync(new HarnessSettings
        {
            Client = inner => new HookedRoleMiningClient(inner) { RewriteZip = zip => served = SwapDirectoryRecords(zip) },
            Logs = new FakeLoggerProvider(logs),
        });
        var role = harness.Emulator.CompletedRoles()[0];

        var job = await RunAsync(harness, role);

        Assert.Equal(served, await harness.AssertSucceededAndCompleteAsync(job));
        Assert.Contains("verifying the stored copy instead", logs.AllText(), StringComparison.Ordinal);
    }

    public static TheoryData<string> BadZips() => ["bad CRC in the last entry", "truncated", "oversized entry", "path traversal"];

    [Theory]
    [MemberData(nameof(BadZips))]
    public async Task A_zip_that_fails_the_single_pass_leaves_nothing_published(string fault)
    {
        HookedArtifactStore? store = null;
        await using var harness = await WorkflowHarness.StartAsync(new HarnessSettings
        {
            Emulator = options => options.Exports.Compression = CompressionLevel.NoCompression,
            Artifacts = inner => store = new HookedArtifactStore(inner),
            Client = inner => new HookedRoleMiningClient(inner) { RewriteZip = zip => Break(zip, fault) },
            Workflow = options =>
            {
                // Two attempts in all: a corrupt or truncated zip would otherwise also be retried later (TransientRetry).
                options.MaxAttempts = 2;
                options.TransientRetry.MaxRetries = 0;
                if (fault == "oversized entry")
                {
                    options.Archive.MaxEntryBytes = 200;
                }
            },
        });
        var role = harness.Emulator.CompletedRoles()[0];

        var job = await RunAsync(harness, role);

        harness.AssertNothingStored(job);

        // A staged write that failed verification is given up rather than completed (for a blob: no block list is
        // committed). The exception is the truncated zip: its cut stored entry could still have had a data descriptor
        // further on, so the single pass stores the zip whole and leaves the verdict to the second pass.
        var zips = store!.Writes.Where(write => write.Path.EndsWith("/" + ExportArtifactLayout.ZipFileName, StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(zips);
        Assert.All(zips, zip => Assert.True(fault == "truncated" ? zip.Completed : zip.Abandoned && zip.Closed, $"'{zip.Path}' ended wrongly."));
        var entries = store.Writes.Except(zips).ToList();
        var verified = entries.Where(write => fault == "bad CRC in the last entry" && write.Path.EndsWith("/identities.csv", StringComparison.Ordinal)).ToList();
        Assert.All(verified, write => Assert.True(write.Completed, $"'{write.Path}' was not completed."));
        Assert.All(entries.Except(verified), write => Assert.True(write.Abandoned && write.Closed, $"'{write.Path}' was not given up."));
        if (fault == "bad CRC in the last entry")
        {
            // The emulator writes identities.csv first; the broken byte is in entitlements.csv.
            Assert.Equal(2, verified.Count);
            Assert.Equal(2, entries.Count(write => write.Path.EndsWith("/entitlements.csv", StringComparison.Ordinal)));
        }

        var expected = fault switch
        {
            "bad CRC in the last entry" => "CRC-32",
            "truncated" => "truncated",
            "oversized entry" => "Exports:Archive:MaxEntryBytes",
            _ => "unsafe name",
        };
        Assert.Contains(expected, job.Failure!.Reason + job.LastError, StringComparison.Ordinal);
    }

    private static async Task<ExportJob> RunAsync(WorkflowHarness harness, TenantPotentialRole role)
    {
        var created = (await harness.Host.Jobs.CreateAsync(new ExportJobRequest { SessionId = role.Session.Id, PotentialRoleId = role.Id })).Job;
        await harness.Host.RunUntilIdleAsync();
        return await harness.Host.GetJobAsync(created.JobId);
    }

    private static byte[] Break(byte[] zip, string fault)
    {
        var broken = (byte[])zip.Clone();
        switch (fault)
        {
            case "bad CRC in the last entry":
                broken[ZipFactory.DataStart(broken, ZipFactory.Signatures(broken, ZipFactory.LocalHeader).Last()) + 5] ^= 0x01;
                return broken;
            case "truncated":
                return broken[..(broken.Length / 2)];
            case "oversized entry":
                return broken;
            default:
                // Same length, so every offset stays right: identities.csv becomes ../ntities.csv in both headers.
                var from = Encoding.ASCII.GetBytes("identities.csv");
                var to = Encoding.ASCII.GetBytes("../ntities.csv");
                foreach (var signature in new[] { ZipFactory.LocalHeader, ZipFactory.CentralHeader })
                {
                    foreach (var header in ZipFactory.Signatures(broken, signature))
                    {
                        var name = header + (signature == ZipFactory.LocalHeader ? 30 : 46);
                        if (broken.AsSpan(name, from.Length).SequenceEqual(from))
                        {
                            to.CopyTo(broken, name);
                        }
                    }
                }

                return broken;
        }
    }

    /// <summary>A valid zip whose central directory lists the entries in the other order than their data.</summary>
    private static byte[] SwapDirectoryRecords(byte[] zip)
    {
        var records = ZipFactory.Signatures(zip, ZipFactory.CentralHeader).ToList();
        Assert.Equal(2, records.Count);
        var end = ZipFactory.Signatures(zip, 0x06054b50).Last();
        var first = zip[records[0]..records[1]];
        var second = zip[records[1]..end];
        return [.. zip[..records[0]], .. second, .. first, .. zip[end..]];
    }
}
