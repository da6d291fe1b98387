using System.Text;

namespace RoleMining.Exports.Tests.Archives;

public sealed class CsvRowCounterTests
{
    [Theory]
    [InlineData("id,name\r\n1,a\r\n2,b\r\n", 2)]
    [InlineData("id,name\n1,a\n2,b", 2)]
    [InlineData("id,name\r\n", 0)]
    [InlineData("", 0)]
    [InlineData("id,note\r\n1,\"two\r\nlines\"\r\n2,\"a, b\"\r\n3,\"say \"\"hi\"\"\"\r\n", 3)]
    public async Task Rows_are_records_after_the_header_not_lines(string csv, long expected)
    {
        var rows = await CsvRowCounter.CountDataRowsAsync(new MemoryStream(Encoding.UTF8.GetBytes(csv)), "test.csv");

        Assert.Equal(expected, rows);
    }

    [Fact]
    public async Task A_broken_quote_is_reported_as_invalid_csv()
    {
        var csv = "id,note\r\n1,\"unterminated \"quote\" here\r\n2,b\r\n";

        var exception = await Assert.ThrowsAsync<InvalidExportArchiveException>(() =>
            CsvRowCounter.CountDataRowsAsync(new MemoryStream(Encoding.UTF8.GetBytes(csv)), "identities.csv"));

        Assert.Equal(ExportArchiveProblem.InvalidCsv, exception.Problem);
        Assert.Equal("identities.csv", exception.EntryName);
    }

    [Theory]
    [InlineData("id,note\r\n1,\"two\r\nlines\"\r\n\r\n2,\"say \"\"hi\"\"\"\r\n3,x", 3)]
    [InlineData("id\n\n\n1\n\n", 1)]
    [InlineData("\"a,b\",c\r\n\"\"\r\n", 1)]
    public void Rows_are_the_same_however_the_bytes_are_split(string csv, long expected)
    {
        // The unpacker feeds the counter block by block: a quote, a doubled quote or a CRLF may fall on any block edge.
        var bytes = Encoding.UTF8.GetBytes(csv);
        for (var split = 1; split <= bytes.Length; split++)
        {
            var counter = new CsvRowCounter("test.csv");
            for (var offset = 0; offset < bytes.Length; offset += split)
            {
                counter.Append(bytes.AsSpan(offset, Math.Min(split, bytes.Length - offset)));
            }

            Assert.Equal(expected, counter.Complete());
        }
    }

    [Theory]
    [InlineData("id,note\r\n1,\"never closed\r\n")]
    [InlineData("id,note\r\n1,ab\"c\r\n")]
    [InlineData("id,note\r\n1,\"closed\"then text\r\n")]
    public void A_quote_out_of_place_makes_the_file_invalid(string csv)
    {
        var counter = new CsvRowCounter("identities.csv");

        var exception = Assert.Throws<InvalidExportArchiveException>(() =>
        {
            counter.Append(Encoding.UTF8.GetBytes(csv));
            counter.Complete();
        });

        Assert.Equal(ExportArchiveProblem.InvalidCsv, exception.Problem);
        Assert.Contains("row 2", exception.Message, StringComparison.Ordinal);
    }
}
