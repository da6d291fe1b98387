using System.IO.Compression;
using System.Net;
using System.Text;
using RoleMining.Emulator.ContractTests.Spec;
using Xunit.Sdk;

namespace RoleMining.Emulator.ContractTests.Live;

/// <summary>The zip check of the download endpoints must catch what a broken download looks like.</summary>
public sealed class ContractAssertTests
{
    private static readonly SpecOperation Download = SpecCatalog.Instance.Operation(ApiVersion.V2024, "downloadRoleMiningPotentialRoleZip");

    [Fact]
    public void A_complete_zip_of_identity_and_entitlement_csv_files_passes()
    {
        ContractAssert.AssertReadableZip(Download, Response(Zip(("identities.csv", Rows("id,name")), ("entitlements.csv", Rows("id,name")))));
    }

    [Fact]
    public void The_CRC_matches_the_zip_writer()
    {
        using var zip = new ZipArchive(new MemoryStream(Zip(("identities.csv", Rows("id,name")))));
        using var content = zip.Entries[0].Open();

        Assert.Equal(zip.Entries[0].Crc32, ContractAssert.Crc32Of(content));
    }

    [Fact]
    public void A_truncated_zip_fails()
    {
        var zip = Zip(("identities.csv", Rows("id,name")), ("entitlements.csv", Rows("id,name")));

        Assert.ThrowsAny<XunitException>(() => ContractAssert.AssertReadableZip(Download, Response(zip[..^64])));
    }

    [Fact]
    public void A_zip_with_a_corrupted_entry_fails_its_CRC_check()
    {
        // Stored (uncompressed) entries, so the flipped byte lands in the data and only the CRC can notice it.
        var zip = Zip(("identities.csv", Rows("id,name")), ("entitlements.csv", Rows("id,name")));
        var dataStart = 30 + "identities.csv".Length + BitConverter.ToUInt16(zip, 28); // local header, name, extra field
        zip[dataStart + 10] ^= 0x20;

        Assert.ThrowsAny<XunitException>(() => ContractAssert.AssertReadableZip(Download, Response(zip)));
    }

    [Fact]
    public void A_zip_without_the_entitlements_file_fails()
    {
        var zip = Zip(("identities.csv", Rows("id,name")));

        Assert.ThrowsAny<XunitException>(() => ContractAssert.AssertReadableZip(Download, Response(zip)));
    }

    private static ApiResponse Response(byte[] body) =>
        new("GET /download", HttpStatusCode.OK, "application/zip", body, new HttpResponseMessage().Headers);

    private static string Rows(string header) =>
        header + "\n" + string.Join('\n', Enumerable.Range(0, 200).Select(i => $"2c9180877212632a{i:D16},Identity {i}"));

    private static byte[] Zip(params (string Name, string Content)[] entries)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content) in entries)
            {
                using var stream = zip.CreateEntry(name, CompressionLevel.NoCompression).Open();
                stream.Write(Encoding.UTF8.GetBytes(content));
            }
        }

        return buffer.ToArray();
    }
}
