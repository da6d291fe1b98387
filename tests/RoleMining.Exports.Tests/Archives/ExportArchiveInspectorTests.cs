using System.Buffers.Binary;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using RoleMining.Exports.Tests.Support;

namespace RoleMining.Exports.Tests.Archives;

public sealed class ExportArchiveInspectorTests
{
    private static readonly ExportArchiveOptions Defaults = new();

    [Theory]
    [InlineData(CompressionLevel.Optimal)]
    [InlineData(CompressionLevel.NoCompression)]
    public async Task A_valid_zip_is_unpacked_entry_by_entry_with_sizes_and_hashes_of_the_original_content(CompressionLevel level)
    {
        var written = new Dictionary<string, MemoryStream>();
        var entries = await Inspect(ZipFactory.Valid(level), written);

        Assert.Equal(["identities.csv", "entitlements.csv"], entries.Select(entry => entry.Name));
        Assert.Equal(ZipFactory.Identities, written["identities.csv"].ToArray());
        Assert.Equal(ZipFactory.Entitlements, written["entitlements.csv"].ToArray());
        Assert.Equal(ZipFactory.Identities.Length, entries[0].Size);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(ZipFactory.Identities)), entries[0].Sha256);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(ZipFactory.Entitlements)), entries[1].Sha256);
    }

    [Fact]
    public async Task Entry_names_are_matched_case_insensitively_and_unpacked_under_the_configured_name()
    {
        var zip = ZipFactory.Create(("IDENTITIES.csv", ZipFactory.Identities), ("Entitlements.CSV", ZipFactory.Entitlements));
        var written = new Dictionary<string, MemoryStream>();

        var entries = await Inspect(zip, written);

        Assert.Equal(["identities.csv", "entitlements.csv"], entries.Select(entry => entry.Name));
        Assert.Equal(["entitlements.csv", "identities.csv"], written.Keys.Order());
    }

    [Theory]
    [InlineData("../identities.csv")]
    [InlineData("/identities.csv")]
    [InlineData("/etc/cron.d/identities.csv")]
    [InlineData("C:\\identities.csv")]
    [InlineData("C:identities.csv")]
    [InlineData("..\\..\\identities.csv")]
    [InlineData("reports/../../identities.csv")]
    [InlineData("./identities.csv")]
    [InlineData("identities.csv\u0007")]
    public async Task Unsafe_entry_names_are_rejected(string name)
    {
        var zip = ZipFactory.Create((name, ZipFactory.Identities), ("entitlements.csv", ZipFactory.Entitlements));

        var problem = await Rejected(zip);

        Assert.Equal(ExportArchiveProblem.UnsafeEntryName, problem.Problem);
        Assert.False(problem.IsTransient);
    }

    [Fact]
    public async Task A_directory_entry_is_rejected()
    {
        var zip = ZipFactory.Create(("reports/", []), ("identities.csv", ZipFactory.Identities), ("entitlements.csv", ZipFactory.Entitlements));

        Assert.Equal(ExportArchiveProblem.DirectoryEntry, (await Rejected(zip)).Problem);
    }

    [Theory]
    [InlineData("readme.txt")]
    [InlineData("reports/identities.csv")]
    [InlineData("identities.csv.exe")]
    public async Task An_unexpected_file_is_rejected_by_name(string name)
    {
        var zip = ZipFactory.Create(("identities.csv", ZipFactory.Identities), ("entitlements.csv", ZipFactory.Entitlements), (name, "x"u8.ToArray()));

        var problem = await Rejected(zip);

        Assert.Equal(ExportArchiveProblem.UnexpectedEntry, problem.Problem);
        Assert.Equal(name, problem.EntryName);
        Assert.Contains(name, problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_zip_of_thousands_of_entries_is_refused_from_its_end_record_before_its_directory_is_read()
    {
        var entries = Enumerable.Range(0, 1_500).Select(index => ($"e{index}.csv", "x"u8.ToArray())).ToArray();

        var problem = await Rejected(ZipFactory.Create(entries));

        Assert.Equal(ExportArchiveProblem.UnexpectedEntry, problem.Problem);
        Assert.Null(problem.EntryName);
        Assert.StartsWith("The export zip's directory holds 1,500 entries", problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(10, 65_535)]
    [InlineData(12, 2_147_483_647)]
    public async Task An_end_record_that_announces_a_huge_directory_is_refused_before_the_directory_is_read(int offset, long value)
    {
        // The count (offset 10, two bytes) or the directory's size (offset 12, four bytes) of the end record, raised:
        // ZipArchive would read entries until the announced directory ends, holding each in memory.
        var zip = ZipFactory.Valid();
        var end = ZipFactory.Signatures(zip, 0x06054b50).Last();
        if (offset == 10)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(zip.AsSpan(end + offset), (ushort)value);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(zip.AsSpan(end + offset), (uint)value);
        }

        var problem = await Rejected(zip);

        Assert.Equal(ExportArchiveProblem.UnexpectedEntry, problem.Problem);
        Assert.Contains($"{value:N0}", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_zip64_directory_announced_through_the_offset_alone_is_counted_from_its_zip64_record()
    {
        // The classic end record says two entries in 200 bytes, and 'see the zip64 record' through the directory's offset
        // alone (the usual form of a zip over 4 GB with few entries): ZipArchive then takes the zip64 record's count.
        const int Count = 2_000;
        var plain = ZipFactory.Create(CompressionLevel.NoCompression, Enumerable.Range(0, Count).Select(index => ($"e{index}.csv", Array.Empty<byte>())).ToArray());
        var end = ZipFactory.Signatures(plain, 0x06054b50).Last();
        var zip64End = new byte[56];
        BinaryPrimitives.WriteUInt32LittleEndian(zip64End, 0x06064b50);
        BinaryPrimitives.WriteUInt64LittleEndian(zip64End.AsSpan(4), 44);
        BinaryPrimitives.WriteUInt16LittleEndian(zip64End.AsSpan(12), 45);
        BinaryPrimitives.WriteUInt16LittleEndian(zip64End.AsSpan(14), 45);
        BinaryPrimitives.WriteUInt64LittleEndian(zip64End.AsSpan(24), Count);
        BinaryPrimitives.WriteUInt64LittleEndian(zip64End.AsSpan(32), Count);
        BinaryPrimitives.WriteUInt64LittleEndian(zip64End.AsSpan(40), BinaryPrimitives.ReadUInt32LittleEndian(plain.AsSpan(end + 12)));
        BinaryPrimitives.WriteUInt64LittleEndian(zip64End.AsSpan(48), BinaryPrimitives.ReadUInt32LittleEndian(plain.AsSpan(end + 16)));
        var locator = new byte[20];
        BinaryPrimitives.WriteUInt32LittleEndian(locator, 0x07064b50);
        BinaryPrimitives.WriteUInt64LittleEndian(locator.AsSpan(8), (ulong)end);
        BinaryPrimitives.WriteUInt32LittleEndian(locator.AsSpan(16), 1);
        var classic = plain.AsSpan(end).ToArray();
        BinaryPrimitives.WriteUInt16LittleEndian(classic.AsSpan(8), 2);
        BinaryPrimitives.WriteUInt16LittleEndian(classic.AsSpan(10), 2);
        BinaryPrimitives.WriteUInt32LittleEndian(classic.AsSpan(12), 200);
        BinaryPrimitives.WriteUInt32LittleEndian(classic.AsSpan(16), uint.MaxValue);
        var zip = plain.AsSpan(0, end).ToArray().Concat(zip64End).Concat(locator).Concat(classic).ToArray();
        using (var archive = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read))
        {
            Assert.Equal(Count, archive.Entries.Count);
        }

        var problem = await Rejected(zip);

        Assert.StartsWith("The export zip's directory holds 2,000 entries", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_configured_entries_replace_the_default_ones()
    {
        var options = new ExportArchiveOptions { ExpectedEntries = ["users.csv"] };
        var zip = ZipFactory.Create(("users.csv", ZipFactory.Identities));

        var entries = await new ExportArchiveInspector(options).VerifyAndExtractAsync(new MemoryStream(zip), null);

        Assert.Equal("users.csv", Assert.Single(entries).Name);
        Assert.Equal(ExportArchiveProblem.UnexpectedEntry, (await Rejected(ZipFactory.Valid(), options)).Problem);
    }

    [Fact]
    public async Task The_same_entry_twice_is_rejected()
    {
        var zip = ZipFactory.Create(("identities.csv", ZipFactory.Identities), ("entitlements.csv", ZipFactory.Entitlements), ("identities.csv", "id\r\n"u8.ToArray()));

        Assert.Equal(ExportArchiveProblem.DuplicateEntry, (await Rejected(zip)).Problem);
    }

    [Fact]
    public async Task A_missing_expected_file_is_rejected()
    {
        var zip = ZipFactory.Create(("identities.csv", ZipFactory.Identities));

        var problem = await Rejected(zip);

        Assert.Equal(ExportArchiveProblem.MissingEntry, problem.Problem);
        Assert.Equal("entitlements.csv", problem.EntryName);
    }

    [Fact]
    public async Task A_zip_bomb_is_rejected_by_its_compression_ratio_before_anything_is_unpacked()
    {
        // 8 MB of one byte deflates to a few kilobytes: a ratio of about a thousand.
        var zip = ZipFactory.Create(("identities.csv", ZipFactory.Identities), ("entitlements.csv", new byte[8 * 1024 * 1024]));
        Assert.True(zip.Length < 100_000);
        var written = new Dictionary<string, MemoryStream>();

        var problem = await Rejected(zip, Defaults, written);

        Assert.Equal(ExportArchiveProblem.SuspiciousCompressionRatio, problem.Problem);
        Assert.Equal("entitlements.csv", problem.EntryName);
        Assert.Empty(written);
    }

    [Fact]
    public async Task A_real_sized_csv_within_the_ratio_limit_passes()
    {
        var rows = new StringBuilder("id,name,department\r\n");
        for (var row = 0; row < 40_000; row++)
        {
            rows.Append(row).Append(",Identity ").Append(row).Append(",Department ").Append(row % 17).Append("\r\n");
        }

        var content = Encoding.UTF8.GetBytes(rows.ToString());
        Assert.True(content.Length > Defaults.CompressionRatioThresholdBytes);
        var zip = ZipFactory.Create(("identities.csv", content), ("entitlements.csv", ZipFactory.Entitlements));

        var entries = await new ExportArchiveInspector(Defaults).VerifyAndExtractAsync(new MemoryStream(zip), null);

        Assert.Equal(content.Length, entries[0].Size);
    }

    [Fact]
    public async Task An_entry_larger_than_the_limit_is_rejected()
    {
        var options = new ExportArchiveOptions { MaxEntryBytes = 1000, MaxTotalBytes = 10_000 };
        var zip = ZipFactory.Create(("identities.csv", new byte[1001]), ("entitlements.csv", ZipFactory.Entitlements));

        Assert.Equal(ExportArchiveProblem.EntryTooLarge, (await Rejected(zip, options)).Problem);
    }

    [Fact]
    public async Task Entries_larger_together_than_the_limit_are_rejected()
    {
        var options = new ExportArchiveOptions { MaxEntryBytes = 1000, MaxTotalBytes = 1500 };
        var zip = ZipFactory.Create(("identities.csv", new byte[800]), ("entitlements.csv", new byte[800]));

        Assert.Equal(ExportArchiveProblem.TotalTooLarge, (await Rejected(zip, options)).Problem);
    }

    [Fact]
    public async Task An_entry_that_holds_more_than_it_declares_is_rejected()
    {
        var zip = ZipFactory.Create(("identities.csv", new byte[100_000]), ("entitlements.csv", ZipFactory.Entitlements));

        // Make the first entry declare 100 bytes in both headers: a lie that would slip a large file past the size limits.
        var local = ZipFactory.Signatures(zip, ZipFactory.LocalHeader).First();
        BitConverter.TryWriteBytes(zip.AsSpan(local + 22, 4), 100u);
        var central = ZipFactory.Signatures(zip, ZipFactory.CentralHeader).First();
        BitConverter.TryWriteBytes(zip.AsSpan(central + 24, 4), 100u);

        var problem = await Rejected(zip);

        Assert.Equal(ExportArchiveProblem.CorruptData, problem.Problem);
        Assert.True(problem.IsTransient);
    }

    [Theory]
    [InlineData("<html><body>Service Unavailable</body></html>")]
    [InlineData("")]
    [InlineData("{\"error\":\"not ready\"}")]
    public async Task Content_that_is_not_a_zip_is_rejected(string body)
    {
        var problem = await Rejected(Encoding.UTF8.GetBytes(body));

        Assert.Equal(ExportArchiveProblem.NotAZip, problem.Problem);
        Assert.True(problem.IsTransient);
    }

    [Theory]
    [InlineData(64)]
    [InlineData(1)]
    [InlineData(-2)]
    public async Task A_truncated_zip_is_rejected(int cut)
    {
        var zip = ZipFactory.Valid();
        var length = cut > 0 ? zip.Length - cut : zip.Length / -cut;

        var problem = await Rejected(zip[..length]);

        Assert.Equal(ExportArchiveProblem.Truncated, problem.Problem);
        Assert.True(problem.IsTransient);
    }

    [Fact]
    public async Task A_flipped_byte_in_stored_data_fails_the_crc_check()
    {
        var zip = ZipFactory.Valid(CompressionLevel.NoCompression);
        var local = ZipFactory.Signatures(zip, ZipFactory.LocalHeader).First();
        var nameLength = BitConverter.ToUInt16(zip, local + 26);
        var extraLength = BitConverter.ToUInt16(zip, local + 28);
        zip[local + 30 + nameLength + extraLength + 5] ^= 0x20;

        var problem = await Rejected(zip);

        Assert.Equal(ExportArchiveProblem.CorruptData, problem.Problem);
        Assert.Contains("CRC", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_flipped_byte_in_deflated_data_is_caught()
    {
        var zip = ZipFactory.Create(("identities.csv", Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 2000).Select(row => $"{row},name{row},dept{row % 7}\r\n")))), ("entitlements.csv", ZipFactory.Entitlements));
        var local = ZipFactory.Signatures(zip, ZipFactory.LocalHeader).First();
        var nameLength = BitConverter.ToUInt16(zip, local + 26);
        var extraLength = BitConverter.ToUInt16(zip, local + 28);
        zip[local + 30 + nameLength + extraLength + 40] ^= 0x01;

        Assert.Equal(ExportArchiveProblem.CorruptData, (await Rejected(zip)).Problem);
    }

    [Fact]
    public async Task An_entry_that_fails_its_check_is_given_up_while_the_entries_before_it_are_completed()
    {
        var zip = ZipFactory.Valid(CompressionLevel.NoCompression);
        zip[ZipFactory.DataStart(zip, ZipFactory.Signatures(zip, ZipFactory.LocalHeader).Last()) + 5] ^= 0x01;
        var writes = new Dictionary<string, WriteProbe>();

        await Assert.ThrowsAsync<InvalidExportArchiveException>(() => new ExportArchiveInspector(Defaults).VerifyAndExtractAsync(new MemoryStream(zip), (name, _) =>
        {
            var probe = new WriteProbe(name, new MemoryStream());
            writes[name] = probe;
            return Task.FromResult<Stream>(probe);
        }));

        Assert.True(writes["identities.csv"].Completed);
        Assert.True(writes["entitlements.csv"].Abandoned);
        Assert.True(writes["entitlements.csv"].Closed);
    }

    [Fact]
    public async Task A_stream_that_cannot_seek_is_refused_rather_than_buffered()
    {
        var inspector = new ExportArchiveInspector(Defaults);

        await Assert.ThrowsAsync<ArgumentException>(() => inspector.VerifyAndExtractAsync(new NonSeekableStream(ZipFactory.Valid()), null));
    }

    [Fact]
    public async Task An_encrypted_entry_is_refused_as_encrypted_and_not_unpacked()
    {
        var zip = ZipFactory.WithLastEntryEncrypted(ZipFactory.Create(CompressionLevel.Optimal, ("entitlements.csv", ZipFactory.Entitlements), ("identities.csv", ZipFactory.Identities)));
        var written = new Dictionary<string, MemoryStream>();

        var refused = await Rejected(zip, written: written);

        Assert.Equal(ExportArchiveProblem.UnexpectedEntry, refused.Problem);
        Assert.Equal("identities.csv", refused.EntryName);
        Assert.Contains("is encrypted", refused.Message, StringComparison.Ordinal);
        Assert.False(written.ContainsKey("identities.csv"));
    }

    private static async Task<IReadOnlyList<ExtractedEntry>> Inspect(byte[] zip, Dictionary<string, MemoryStream> written, ExportArchiveOptions? options = null) =>
        await new ExportArchiveInspector(options ?? Defaults).VerifyAndExtractAsync(new MemoryStream(zip), (name, _) =>
        {
            var target = new MemoryStream();
            written[name] = target;
            return Task.FromResult<Stream>(new KeepOpenStream(target));
        });

    private static Task<InvalidExportArchiveException> Rejected(byte[] zip, ExportArchiveOptions? options = null, Dictionary<string, MemoryStream>? written = null) =>
        Assert.ThrowsAsync<InvalidExportArchiveException>(() => Inspect(zip, written ?? [], options));

    private sealed class NonSeekableStream(byte[] content) : MemoryStream(content)
    {
        public override bool CanSeek => false;
    }
}
