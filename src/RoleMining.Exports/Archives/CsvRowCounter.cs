using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;

namespace RoleMining.Exports;

/// <summary>
/// Counts the data rows of a CSV file with CsvHelper, so quoted fields with line breaks count as one row, and checks that
/// every field is well quoted.
/// </summary>
public static class CsvRowCounter
{
    /// <summary>Data rows of <paramref name="csv"/>, the header row not counted.</summary>
    /// <exception cref="InvalidExportArchiveException">The file is not valid CSV.</exception>
    public static async Task<long> CountDataRowsAsync(Stream csv, string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(csv);
        var configuration = new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            HasHeaderRecord = true,
            DetectColumnCountChanges = false,
        };

        using var reader = new StreamReader(csv, leaveOpen: true);
        using var parser = new CsvParser(reader, configuration);
        long records = 0;
        try
        {
            while (await parser.ReadAsync().ConfigureAwait(false))
            {
                cancellationToken.ThrowIfCancellationRequested();

                // CsvHelper checks a field's quoting when the field is read, so read them all to catch malformed rows.
                _ = parser.Record;
                records++;
            }
        }
        catch (CsvHelperException exception)
        {
            throw new InvalidExportArchiveException(ExportArchiveProblem.InvalidCsv, name, $"The export file '{name}' is not valid CSV (row {records + 1}): {exception.GetType().Name}.", exception);
        }

        return Math.Max(0, records - 1);
    }
}
