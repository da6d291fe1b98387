using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using RoleMining.Exports.Tests.Support;

namespace RoleMining.Exports.Tests.Archives;

/// <summary>
/// The verifier that reads the zip once, front to back, as it is downloaded. Every zip layout a writer produces:
/// stored or deflated, with sizes in the local header (a writer that can seek) or in a data descriptor after the data
/// (a streaming writer: the emulator, Java's ZipOutputStream), read in blocks small enough that headers, data and
/// descriptors straddle block edges.
/// </summary>
public sealed class SinglePassArchiveVerifierTests
{
    private static readonly ExportArchiveOptions Defaults = new();

    public static TheoryData<CompressionLevel, bool, int> Layouts()
    {
        var data = new TheoryData<CompressionLevel, bool, int>();
        foreach (var level in new[] { CompressionLevel.NoCompression, CompressionLevel.Optimal })
        {
            foreach (var streamed in new[] { false, true })
            {
                foreach (var blockSize in new[] { 7, 4096, SharedChunk.Size })
                {
                    data.Add(level, streamed, blockSize);
                }
            }
        }

        return data;
    }

    public static TheoryData<CompressionLevel, bool> Writers() => new()
    {
        { CompressionLevel.NoCompression, false },
        { CompressionLevel.NoCompression, true },
        { CompressionLevel.Optimal, false },
        { CompressionLevel.Optimal, true },
    };

    [Theory]
    [MemberData(nameof(Layouts))]
    public async Task Every_layout_is_unpacked_in_one_pass_with_sizes_hashes_and_rows_and_the_zip_passes_through_unchanged(CompressionLevel level, bool streamed, int blockSize)
    {
        var zip = Zip(level, streamed, ("identities.csv", ZipFactory.Identities), ("entitlements.csv", ZipFactory.Entitlements));

        var run = await Verify(zip, blockSize: blockSize);

        Assert.Equal(zip, run.Passed);
        Assert.Equal(ZipFactory.Identities, run.Written["identities.csv"].ToArray());
        Assert.Equal(ZipFactory.Entitlements, run.Written["entitlements.csv"].ToArray());
        Assert.Equal(["identities.csv", "entitlements.csv"], run.Entries.Select(entry => entry.Name));
        Assert.Equal(ZipFactory.Identities.Length, run.Entries[0].Size);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(ZipFactory.Identities)), run.Entries[0].Sha256);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(ZipFactory.Entitlements)), run.Entries[1].Sha256);
        Assert.Equal(3, run.Entries[0].RowCount);
        Assert.Equal(2, run.Entries[1].RowCount);
    }

    [Theory]
    [MemberData(nameof(Writers))]
    public async Task A_large_entry_over_many_blocks_comes_out_byte_for_byte(CompressionLevel level, bool streamed)
    {
        var csv = LargeCsv(40_000);
        var zip = Zip(level, streamed, ("entitlements.csv", ZipFactory.Entitlements), ("identities.csv", csv));

        var run = await Verify(zip, blockSize: 4096);

        Assert.Equal(csv, run.Written["identities.csv"].ToArray());
        Assert.Equal(40_000, run.Entries[0].RowCount);
    }

    [Fact]
    public async Task Stored_bytes_that_look_like_a_data_descriptor_stay_data()
    {
        // A descriptor signature inside the data, even with the right CRC position and sizes of zero, is not followed by
        // a header, so the verifier keeps reading; the true descriptor comes after.
        var content = Encoding.ASCII.GetBytes("id,name\r\n1,\"PK\u0007\u0008\0\0\0\0\0\0\0\0\0\0\0\0PK\u0007\u0008x\"\r\n2,b\r\n");
        var zip = Zip(CompressionLevel.NoCompression, streamed: true, ("identities.csv", content), ("entitlements.csv", ZipFactory.Entitlements));

        var run = await Verify(zip, blockSize: 5);

        Assert.Equal(content, run.Written["identities.csv"].ToArray());
        Assert.Equal(2, run.Entries[0].RowCount);
    }

    [Theory]
    [MemberData(nameof(Writers))]
    public async Task A_zip_cut_short_is_rejected_as_truncated(CompressionLevel level, bool streamed)
    {
        var zip = Zip(level, streamed, ("identities.csv", LargeCsv(2_000)), ("entitlements.csv", ZipFactory.Entitlements));
        var central = ZipFactory.Signatures(zip, ZipFactory.CentralHeader).First();

        // In the central directory, in its end record, and one byte short.
        foreach (var length in new[] { central + 10, zip.Length - 10, zip.Length - 1 })
        {
            var problem = await Rejected(zip[..length]);
            Assert.Equal(ExportArchiveProblem.Truncated, problem.Problem);
            Assert.True(problem.IsTransient);
        }
    }

    [Theory]
    [InlineData(CompressionLevel.NoCompression, false)]
    [InlineData(CompressionLevel.Optimal, false)]
    [InlineData(CompressionLevel.Optimal, true)]
    public async Task A_zip_cut_inside_an_entry_with_known_end_is_rejected_as_truncated(CompressionLevel level, bool streamed)
    {
        var zip = Zip(level, streamed, ("identities.csv", LargeCsv(2_000)), ("entitlements.csv", ZipFactory.Entitlements));
        var data = ZipFactory.DataStart(zip, ZipFactory.Signatures(zip, ZipFactory.LocalHeader).First());

        var problem = await Rejected(zip[..(data + 1000)]);

        Assert.Equal(ExportArchiveProblem.Truncated, problem.Problem);
    }

    [Fact]
    public async Task A_streamed_stored_zip_cut_inside_its_data_goes_to_the_seekable_inspector_which_rejects_it()
    {
        // Where stored data without sizes ends can only be told by its descriptor; without one the stream cannot judge,
        // so the stored copy is verified from its central directory, which a cut zip lacks.
        var zip = Zip(CompressionLevel.NoCompression, streamed: true, ("identities.csv", LargeCsv(2_000)), ("entitlements.csv", ZipFactory.Entitlements));
        var cut = zip[..(ZipFactory.DataStart(zip, 0) + 1000)];

        await Assert.ThrowsAsync<ArchiveNotStreamableException>(() => Verify(cut));
        var verdict = await Assert.ThrowsAsync<InvalidExportArchiveException>(() => new ExportArchiveInspector(Defaults).VerifyAndExtractAsync(new MemoryStream(cut), null));
        Assert.Equal(ExportArchiveProblem.Truncated, verdict.Problem);
    }

    [Theory]
    [MemberData(nameof(Writers))]
    public async Task A_bad_crc_in_the_last_entry_is_rejected_as_corrupt(CompressionLevel level, bool streamed)
    {
        var zip = Zip(level, streamed, ("identities.csv", LargeCsv(2_000)), ("entitlements.csv", LargeCsv(3_000)));
        var last = ZipFactory.Signatures(zip, ZipFactory.LocalHeader).Last();
        zip[ZipFactory.DataStart(zip, last) + 200] ^= 0x01;

        var problem = await Rejected(zip);

        Assert.Equal(ExportArchiveProblem.CorruptData, problem.Problem);
        Assert.Equal("entitlements.csv", problem.EntryName);
        Assert.True(problem.IsTransient);
        if (level == CompressionLevel.NoCompression)
        {
            Assert.Contains("CRC", problem.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(Writers))]
    public async Task An_entry_over_the_size_limit_is_rejected_and_never_unpacked_beyond_it(CompressionLevel level, bool streamed)
    {
        var options = new ExportArchiveOptions { MaxEntryBytes = 10_000, MaxTotalBytes = 100_000 };
        var zip = Zip(level, streamed, ("identities.csv", LargeCsv(2_000)), ("entitlements.csv", ZipFactory.Entitlements));
        var written = new Dictionary<string, MemoryStream>();

        var problem = await Rejected(zip, options, written);

        Assert.Equal(ExportArchiveProblem.EntryTooLarge, problem.Problem);
        Assert.Equal("identities.csv", problem.EntryName);
        Assert.True(written.GetValueOrDefault("identities.csv")?.Length is null or <= 10_000);
        if (!streamed)
        {
            Assert.Empty(written); // The header declared the size: rejected before a byte was unpacked.
        }
    }

    [Theory]
    [MemberData(nameof(Writers))]
    public async Task Entries_over_the_total_limit_are_rejected(CompressionLevel level, bool streamed)
    {
        var options = new ExportArchiveOptions { MaxEntryBytes = 1000, MaxTotalBytes = 1500 };
        var zip = Zip(level, streamed, ("identities.csv", Rows(800)), ("entitlements.csv", Rows(800)));

        Assert.Equal(ExportArchiveProblem.TotalTooLarge, (await Rejected(zip, options)).Problem);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_zip_bomb_is_stopped_by_its_compression_ratio_long_before_it_is_unpacked(bool streamed)
    {
        // 64 MB of one byte deflates to about 64 KB: a ratio of about a thousand.
        var zip = Zip(CompressionLevel.Optimal, streamed, ("identities.csv", ZipFactory.Identities), ("entitlements.csv", new byte[64 * 1024 * 1024]));
        var written = new Dictionary<string, MemoryStream>();

        var problem = await Rejected(zip, Defaults, written);

        Assert.Equal(ExportArchiveProblem.SuspiciousCompressionRatio, problem.Problem);
        Assert.Equal("entitlements.csv", problem.EntryName);
        var unpacked = written.GetValueOrDefault("entitlements.csv")?.Length ?? 0;
        Assert.True(unpacked <= Defaults.CompressionRatioThresholdBytes + SharedChunk.Size, $"{unpacked:N0} bytes were unpacked.");
    }

    [Theory]
    [InlineData("../identities.csv", false)]
    [InlineData("../identities.csv", true)]
    [InlineData("/etc/identities.csv", true)]
    [InlineData("reports\\..\\..\\identities.csv", true)]
    [InlineData("C:identities.csv", true)]
    public async Task An_entry_name_that_leaves_the_folder_is_rejected_before_anything_is_written(string name, bool streamed)
    {
        var zip = Zip(CompressionLevel.Optimal, streamed, (name, ZipFactory.Identities), ("entitlements.csv", ZipFactory.Entitlements));
        var written = new Dictionary<string, MemoryStream>();

        var problem = await Rejected(zip, Defaults, written);

        Assert.Equal(ExportArchiveProblem.UnsafeEntryName, problem.Problem);
        Assert.False(problem.IsTransient);
        Assert.Empty(written);
    }

    [Theory]
    [MemberData(nameof(Writers))]
    public async Task Unexpected_duplicate_and_missing_entries_are_rejected(CompressionLevel level, bool streamed)
    {
        Assert.Equal(ExportArchiveProblem.UnexpectedEntry, (await Rejected(Zip(level, streamed, ("identities.csv", ZipFactory.Identities), ("run.sh", "x"u8.ToArray())))).Problem);
        Assert.Equal(ExportArchiveProblem.DuplicateEntry, (await Rejected(Zip(level, streamed, ("identities.csv", ZipFactory.Identities), ("IDENTITIES.csv", ZipFactory.Identities)))).Problem);
        var missing = await Rejected(Zip(level, streamed, ("identities.csv", ZipFactory.Identities)));
        Assert.Equal(ExportArchiveProblem.MissingEntry, missing.Problem);
        Assert.Equal("entitlements.csv", missing.EntryName);
    }

    [Fact]
    public async Task A_csv_with_a_broken_quote_is_rejected_as_invalid_csv()
    {
        var zip = Zip(CompressionLevel.Optimal, true, ("identities.csv", "id,name\r\n1,\"a\"b\r\n"u8.ToArray()), ("entitlements.csv", ZipFactory.Entitlements));

        var problem = await Rejected(zip);

        Assert.Equal(ExportArchiveProblem.InvalidCsv, problem.Problem);
        Assert.Equal("identities.csv", problem.EntryName);
    }

    [Fact]
    public async Task A_body_too_short_to_be_a_zip_is_not_a_zip()
    {
        Assert.Equal(ExportArchiveProblem.NotAZip, (await Rejected([])).Problem);
        Assert.Equal(ExportArchiveProblem.NotAZip, (await Rejected("PK"u8.ToArray())).Problem);
    }

    [Fact]
    public async Task A_zip_behind_a_preamble_or_with_a_directory_that_disagrees_goes_to_the_seekable_inspector()
    {
        var zip = ZipFactory.Valid();
        await Assert.ThrowsAsync<ArchiveNotStreamableException>(() => Verify([.. "<html>"u8.ToArray(), .. zip]));

        // The central directory names another file than the local header: the stream alone must not decide.
        var renamed = (byte[])zip.Clone();
        var central = ZipFactory.Signatures(renamed, ZipFactory.CentralHeader).First();
        renamed[central + 46] = (byte)'I';
        await Assert.ThrowsAsync<ArchiveNotStreamableException>(() => Verify(renamed));
    }

    [Fact]
    public async Task The_emulators_zip_layout_goes_through_in_one_pass()
    {
        // What the emulator serves (ZipArchive on a response body): stored entries with data descriptors.
        var csv = LargeCsv(5_000);
        var zip = Zip(CompressionLevel.NoCompression, true, ("identities.csv", csv), ("entitlements.csv", ZipFactory.Entitlements));
        Assert.Equal(0x08, zip[6] & 0x08);

        var run = await Verify(zip);

        Assert.Equal(csv.Length, run.Entries[0].Size);
        Assert.Equal(5_000, run.Entries[0].RowCount);
    }

    [Theory]
    [MemberData(nameof(Writers))]
    public async Task An_encrypted_entry_is_refused_as_encrypted_and_not_unpacked(CompressionLevel level, bool streamed)
    {
        var zip = ZipFactory.WithLastEntryEncrypted(Zip(level, streamed, ("entitlements.csv", ZipFactory.Entitlements), ("identities.csv", ZipFactory.Identities)));
        var written = new Dictionary<string, MemoryStream>();

        var refused = await Rejected(zip, written: written);

        Assert.Equal(ExportArchiveProblem.UnexpectedEntry, refused.Problem);
        Assert.Equal("identities.csv", refused.EntryName);
        Assert.Contains("is encrypted", refused.Message, StringComparison.Ordinal);
        Assert.False(written.ContainsKey("identities.csv"));
    }

    private static byte[] Zip(CompressionLevel level, bool streamed, params (string Name, byte[] Content)[] entries) =>
        streamed ? ZipFactory.CreateStreamed(level, entries) : ZipFactory.Create(level, entries);

    private static byte[] LargeCsv(int rows)
    {
        var text = new StringBuilder("id,name,department,note\r\n");
        for (var row = 0; row < rows; row++)
        {
            text.Append(row).Append(",Identity ").Append(row).Append(",Department ").Append(row % 17)
                .Append(row % 10 == 0 ? ",\"two\r\nlines, \"\"quoted\"\"\"" : ",plain").Append("\r\n");
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private static byte[] Rows(int bytes)
    {
        var text = new StringBuilder("id\r\n");
        while (text.Length < bytes)
        {
            text.Append(text.Length).Append("\r\n");
        }

        return Encoding.ASCII.GetBytes(text.ToString());
    }

    private static async Task<Run> Verify(byte[] zip, ExportArchiveOptions? options = null, Dictionary<string, MemoryStream>? written = null, int blockSize = 4096)
    {
        written ??= [];
        var passed = new MemoryStream();
        using var source = new ZipByteSource(new MemoryStream(zip), long.MaxValue, (block, _) =>
        {
            passed.Write(block.Array, 0, block.Length);
            return ValueTask.CompletedTask;
        }, blockSize);
        var entries = await new SinglePassArchiveVerifier(options ?? Defaults).VerifyAndExtractAsync(source, (name, _) =>
        {
            var target = new MemoryStream();
            written[name] = target;
            return Task.FromResult<Stream>(new KeepOpenStream(target));
        });
        return new Run(entries, written, passed.ToArray());
    }

    private static Task<InvalidExportArchiveException> Rejected(byte[] zip, ExportArchiveOptions? options = null, Dictionary<string, MemoryStream>? written = null) =>
        Assert.ThrowsAsync<InvalidExportArchiveException>(() => Verify(zip, options, written));

    private sealed record Run(IReadOnlyList<ExtractedEntry> Entries, Dictionary<string, MemoryStream> Written, byte[] Passed);
}
