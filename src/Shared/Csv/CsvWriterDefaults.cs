using System.Globalization;
using CsvHelper;

namespace RoleMining.Serialization;

/// <summary>
/// The CSV dialect every CSV writer of the product uses (the CLI's output, the API's identity stream, the emulator's export
/// zips): RFC 4180 with CRLF line ends, invariant culture, and fields that start or end with a space quoted, as CsvHelper 33
/// wrote them, so that readers that trim whitespace keep it. Compiled into each assembly that writes CSV (linked from
/// <c>src/Shared</c>).
/// </summary>
internal static class CsvWriterDefaults
{
    /// <summary>The options; derive variants with <c>with</c>.</summary>
    public static CsvWriterOptions Options { get; } = new()
    {
        NewLine = "\r\n",
        Quoting = CsvQuoting.WhenNeededOrWhitespace,
        FormatProvider = CultureInfo.InvariantCulture,
    };

    /// <summary>
    /// The options for CSV a person may open in a spreadsheet (the CLI's output, the API's identity stream): a value that
    /// a spreadsheet would run as a formula (=, +, -, @, tab or CR first) gets a leading apostrophe (OWASP's CSV
    /// injection advice), since identity attributes come from sources an attacker may write to. Not for the export zips:
    /// those are SailPoint's, stored byte for byte, and the emulator writes its own as SailPoint does, with
    /// <see cref="Options"/>.
    /// </summary>
    public static CsvWriterOptions ForSpreadsheets { get; } = Options with { Injection = CsvInjection.Escape };
}
