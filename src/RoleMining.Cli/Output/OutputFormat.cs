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

    public static OutputFormat Parse(string? name) => name switch
    {
        Json => OutputFormat.Json,
        Csv => OutputFormat.Csv,
        _ => OutputFormat.Table,
    };
}
