namespace RoleMining.Cli.Output;

/// <summary>One column of table and CSV output.</summary>
/// <typeparam name="T">The record type.</typeparam>
internal sealed record RecordColumn<T>(string Header, Func<T, string?> Value);
