using CsvHelper;

namespace RoleMining.Cli.Tests.Infrastructure;

/// <summary>Reads CSV output with CsvHelper (the same quoting rules a spreadsheet applies).</summary>
public static class Csv
{
    public static (IReadOnlyList<string> Header, IReadOnlyList<IReadOnlyDictionary<string, string>> Rows) Parse(string text)
    {
        using var csv = CsvReader.FromText(text, CsvReaderOptions.Default);
        csv.ReadHeader();
        var header = csv.Headers;
        Assert.True(header.Count > 0, "The CSV has no header row.");
        var rows = new List<IReadOnlyDictionary<string, string>>();
        while (csv.Read())
        {
            rows.Add(header.Select((name, index) => (name, value: csv.GetString(index) ?? string.Empty)).ToDictionary(pair => pair.name, pair => pair.value));
        }

        return (header, rows);
    }
}
