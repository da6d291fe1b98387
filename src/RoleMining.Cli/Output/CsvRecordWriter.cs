using System.Globalization;
using CsvHelper;

namespace RoleMining.Cli.Output;

/// <summary>
/// Writes CSV with CsvHelper. The columns are chosen from the first page (<paramref name="chooseColumns"/>), because a
/// streamed file cannot add a column later; the caller decides what to do with values outside them.
/// </summary>
/// <typeparam name="T">The record type.</typeparam>
internal sealed class CsvRecordWriter<T>(TextWriter destination, Func<IReadOnlyList<T>, IReadOnlyList<RecordColumn<T>>> chooseColumns)
    : IRecordWriter<T>
{
    private readonly CsvWriter _csv = new(destination, CultureInfo.InvariantCulture, leaveOpen: true);
    private IReadOnlyList<RecordColumn<T>>? _columns;

    public async Task WritePageAsync(IReadOnlyList<T> page, CancellationToken cancellationToken)
    {
        WriteHeaderOnce(page);
        foreach (var item in page)
        {
            foreach (var column in _columns!)
            {
                _csv.WriteField(column.Value(item) ?? string.Empty);
            }

            await _csv.NextRecordAsync();
        }

        await _csv.FlushAsync();
        await destination.FlushAsync(cancellationToken);
    }

    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        WriteHeaderOnce([]);
        await _csv.FlushAsync();
        await destination.FlushAsync(cancellationToken);
    }

    public ValueTask DisposeAsync() => _csv.DisposeAsync();

    private void WriteHeaderOnce(IReadOnlyList<T> firstPage)
    {
        if (_columns is not null)
        {
            return;
        }

        _columns = chooseColumns(firstPage);
        foreach (var column in _columns)
        {
            _csv.WriteField(column.Header);
        }

        _csv.NextRecord();
    }
}
