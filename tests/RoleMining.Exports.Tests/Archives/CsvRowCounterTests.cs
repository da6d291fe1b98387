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
}
