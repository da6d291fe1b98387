using Spectre.Console;
using Spectre.Console.Rendering;

namespace RoleMining.Cli.Output;

/// <summary>
/// Writes a borderless Spectre.Console table page by page. The columns and their widths are fixed from the first page so
/// that later pages line up under the header; longer values are cut with an ellipsis rather than wrapped. Columns that do
/// not fit the width (of the terminal, or 240 characters when redirected) are left out, from the right, and
/// <paramref name="warn"/> says so once: tables are for reading, CSV and JSON carry every column.
/// </summary>
/// <typeparam name="T">The record type.</typeparam>
internal sealed class TableRecordWriter<T>(IAnsiConsole console, Func<IReadOnlyList<T>, IReadOnlyList<RecordColumn<T>>> chooseColumns, Action<string> warn)
    : IRecordWriter<T>
{
    // Values longer than this are cut (the first column, the id, never is): a table is for reading.
    private const int MaxColumnWidth = 30;

    // Spectre pads each cell with one space on either side.
    private const int ColumnPadding = 2;

    // The first columns (the id and the name) are shown whatever the width.
    private const int AlwaysShown = 2;
    private List<RecordColumn<T>>? _columns;
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
        var columns = chooseColumns(firstPage);
        var widths = columns
            .Select((column, index) => Math.Min(index == 0 ? int.MaxValue : MaxColumnWidth, firstPage.Select(item => column.Value(item)?.Length ?? 0).Append(column.Header.Length).Max()))
            .ToArray();
        var shown = 0;
        var used = 0;
        while (shown < columns.Count && (shown < AlwaysShown || used + widths[shown] + ColumnPadding <= console.Profile.Width))
        {
            used += widths[shown] + ColumnPadding;
            shown++;
        }

        if (shown < columns.Count)
        {
            warn($"note: {columns.Count - shown} column(s) do not fit in {console.Profile.Width} characters and are not shown ({string.Join(", ", columns.Skip(shown).Select(column => column.Header))}); --format csv or json has every column.");
        }

        _columns = columns.Take(shown).ToList();
        _widths = widths.Take(shown).ToArray();
    }

    /// <summary>Cut to one line of <paramref name="width"/> characters: Spectre would wrap a long value at its spaces.</summary>
    private static string Fit(string value, int width)
    {
        var line = value.ReplaceLineEndings(" ");
        return line.Length <= width ? line : string.Concat(line.AsSpan(0, Math.Max(0, width - 1)), "…");
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
            table.AddRow(_columns.Select((column, index) => (IRenderable)new Text(Fit(column.Value(item) ?? string.Empty, _widths[index]))));
        }

        return table;
    }
}
