using System.Globalization;
using CsvHelper;
using RoleMining.Serialization;

namespace RoleMining.Cli.Output;

/// <summary>
/// Writes CSV with CsvHelper, values that a spreadsheet would run as a formula escaped as the HTTP API escapes them
/// (<see cref="CsvWriterDefaults.ForSpreadsheets"/>). The columns are chosen from the first page (by the function given to the constructor), because a
/// streamed file cannot add a column later; the caller decides what to do with values outside them.
/// </summary>
/// <remarks>
/// Each page is written into a reused in-memory buffer and handed to the destination in one write, as
/// <see cref="JsonRecordWriter{T}"/> does. Written straight to standard output (an AutoFlush writer), CsvHelper's
/// small flushes cost CSV 1.55x the CPU of JSON for the same identities (bench/RoleMining.Exports.Bench --records).
/// </remarks>
/// <typeparam name="T">The record type.</typeparam>
internal sealed class CsvRecordWriter<T> : IRecordWriter<T>
{
    private readonly TextWriter _destination;
    private readonly Func<IReadOnlyList<T>, IReadOnlyList<RecordColumn<T>>> _chooseColumns;
    private readonly StringWriter _page = new(CultureInfo.InvariantCulture);
    private readonly CsvWriter _csv;
    private IReadOnlyList<RecordColumn<T>>? _columns;

    public CsvRecordWriter(TextWriter destination, Func<IReadOnlyList<T>, IReadOnlyList<RecordColumn<T>>> chooseColumns)
    {
        _destination = destination;
        _chooseColumns = chooseColumns;
        _csv = CsvWriter.Create(_page, CsvWriterDefaults.ForSpreadsheets, leaveOpen: true);
    }

    public async Task WritePageAsync(IReadOnlyList<T> page, CancellationToken cancellationToken)
    {
        WriteHeaderOnce(page);
        foreach (var item in page)
        {
            foreach (var column in _columns!)
            {
                _csv.WriteField(column.Value(item) ?? string.Empty);
            }

            _csv.EndRecord();
        }

        await FlushPageAsync(cancellationToken);
    }

    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        WriteHeaderOnce([]);
        await FlushPageAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _csv.DisposeAsync();
        await _page.DisposeAsync();
    }

    private async Task FlushPageAsync(CancellationToken cancellationToken)
    {
        _csv.Flush();
        var text = _page.GetStringBuilder();
        await _destination.WriteAsync(text, cancellationToken);
        await _destination.FlushAsync(cancellationToken);
        text.Clear();
    }

    private void WriteHeaderOnce(IReadOnlyList<T> firstPage)
    {
        if (_columns is not null)
        {
            return;
        }

        _columns = _chooseColumns(firstPage);
        foreach (var column in _columns)
        {
            _csv.WriteField(column.Header);
        }

        _csv.EndRecord();
    }
}
