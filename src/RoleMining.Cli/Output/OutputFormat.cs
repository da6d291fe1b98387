namespace RoleMining.Cli.Output;

/// <summary>How records are written.</summary>
internal enum OutputFormat
{
    /// <summary>A human-readable table.</summary>
    Table,

    /// <summary>A JSON array of the API's objects (camelCase, as ISC sends them).</summary>
    Json,

    /// <summary>CSV with a header row (RFC 4180, via CsvHelper).</summary>
    Csv,
}

/// <summary>The names of <see cref="OutputFormat"/> on the command line.</summary>
internal static class OutputFormats
{
    public const string Table = "table";
    public const string Json = "json";
    public const string Csv = "csv";

    public static readonly string[] Names = [Table, Json, Csv];

    /// <summary>Whether <paramref name="name"/> names a format, in any case (<c>-f JSON</c> is as clear as <c>-f json</c>).</summary>
    public static bool IsName(string name) => Names.Contains(name, StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// The format asked for with <c>--format</c>; without it, the one the <c>--out</c> file's extension names (<c>.csv</c>,
    /// <c>.json</c>), so that <c>-o report.csv</c> writes CSV and not a table of cut values under a CSV name; else a table.
    /// </summary>
    public static OutputFormat Resolve(string? name, string? outFile)
    {
        var chosen = name ?? Path.GetExtension(outFile)?.TrimStart('.');
        return chosen?.ToLowerInvariant() switch
        {
            Json => OutputFormat.Json,
            Csv => OutputFormat.Csv,
            _ => OutputFormat.Table,
        };
    }
}
