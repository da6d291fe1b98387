using Spectre.Console;
using Spectre.Console.Rendering;

namespace RoleMining.Cli.Output;

/// <summary>
/// Writes a borderless Spectre.Console table page by page. The columns and their widths are fixed from the first page so
/// that later pages line up under the header; longer values are cut with an ellipsis rather than wrapped.
/// </summary>
/// <typeparam name="T">The record type.</typeparam>
internal sealed class TableRecordWriter<T>(IAnsiConsole console, Func<IReadOnlyList<T>, IReadOnlyList<RecordColumn<T>>> chooseColumns)
    : IRecordWriter<T>
{
    private const int MaxColumnWidth = 40;
    private IReadOnlyList<RecordColumn<T>>? _columns;
    private int[] _widths = [];

    public Task WritePageAsync(IReadOnlyList<T> page, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var first = _columns is null;
        if (first)
        {
            Choose(page);
        }

        if (page.Count > 0)
        {
            console.Write(BuildTable(page, showHeaders: first));
        }
        else if (first)
        {
            console.Write(BuildTable(page, showHeaders: true));
        }

        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    public Task CompleteAsync(CancellationToken cancellationToken)
    {
        if (_columns is null)
        {
            Choose([]);
            console.Write(BuildTable([], showHeaders: true));
        }

        return Task.CompletedTask;
    }

    private void Choose(IReadOnlyList<T> firstPage)
    {
        _columns = chooseColumns(firstPage);
        _widths = _columns
            .Select(column => Math.Min(MaxColumnWidth, firstPage.Select(item => column.Value(item)?.Length ?? 0).Append(column.Header.Length).Max()))
            .ToArray();
    }

    private Table BuildTable(IReadOnlyList<T> page, bool showHeaders)
    {
        var table = new Table().Border(TableBorder.None);
        for (var index = 0; index < _columns!.Count; index++)
        {
            table.AddColumn(new TableColumn(new Text(_columns[index].Header, new Style(decoration: Decoration.Bold)))
            {
                Width = _widths[index],
                NoWrap = true,
            });
        }

        if (!showHeaders)
        {
            table.HideHeaders();
        }

        foreach (var item in page)
        {
            table.AddRow(_columns.Select(column => (IRenderable)new Text(column.Value(item) ?? string.Empty) { Overflow = Overflow.Ellipsis }));
        }

        return table;
    }
}
