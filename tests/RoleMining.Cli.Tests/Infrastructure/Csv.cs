using System.Globalization;
using CsvHelper;

namespace RoleMining.Cli.Tests.Infrastructure;

/// <summary>Reads CSV output with CsvHelper (the same quoting rules a spreadsheet applies).</summary>
public static class Csv
{
    public static (IReadOnlyList<string> Header, IReadOnlyList<IReadOnlyDictionary<string, string>> Rows) Parse(string text)
    {
        using var reader = new StringReader(text);
        using var csv = new CsvReader(reader, CultureInfo.InvariantCulture);
        Assert.True(csv.Read(), "The CSV has no header row.");
        csv.ReadHeader();
        var header = csv.HeaderRecord!;
        var rows = new List<IReadOnlyDictionary<string, string>>();
        while (csv.Read())
        {
            rows.Add(header.Select((name, index) => (name, value: csv.GetField(index) ?? string.Empty)).ToDictionary(pair => pair.name, pair => pair.value));
        }

        return (header, rows);
    }
}
