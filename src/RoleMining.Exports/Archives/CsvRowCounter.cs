using System.Buffers;

namespace RoleMining.Exports;

/// <summary>
/// Counts the data rows of a CSV file (RFC 4180: ',' between fields, '"' quoting with '""' inside, CR, LF or CRLF
/// between records) while its bytes go by, so that counting costs no pass of its own: the unpacker feeds it each block
/// it writes. Quoted fields with line breaks count as one row, blank lines count as none (as CsvHelper reads them), and
/// a quote where none may stand (inside an unquoted field, or after a closing quote) or a quote left open at the end
/// makes the file invalid.
/// </summary>
/// <remarks>
/// Written by hand because counting needs only the quote and line-break structure, which is the same in bytes as in
/// characters (UTF-8 never uses an ASCII byte inside a multi-byte sequence): CsvHelper decodes every character and
/// builds every field, which measured about 200 MB/s here against gigabytes per second for this vectorised search for
/// the next '"', CR or LF.
/// </remarks>
public sealed class CsvRowCounter
{
    private static readonly SearchValues<byte> OutsideQuotes = SearchValues.Create("\"\r\n"u8);

    private readonly string _name;
    private State _state = State.Outside;
    private byte _previous = (byte)'\n';
    private bool _lineHasContent;
    private long _records;

    /// <summary>Creates a counter for the file <paramref name="name"/> (named in errors).</summary>
    public CsvRowCounter(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        _name = name;
    }

    private enum State
    {
        Outside,
        InQuotes,
        AfterQuote,
    }

    /// <summary>Data rows of <paramref name="csv"/>, the header row not counted.</summary>
    /// <exception cref="InvalidExportArchiveException">The file is not valid CSV.</exception>
    public static async Task<long> CountDataRowsAsync(Stream csv, string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(csv);
        var counter = new CsvRowCounter(name);
        var buffer = ArrayPool<byte>.Shared.Rent(128 * 1024);
        try
        {
            int read;
            while ((read = await csv.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                counter.Append(buffer.AsSpan(0, read));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return counter.Complete();
    }

    /// <summary>Takes the next bytes of the file.</summary>
    /// <exception cref="InvalidExportArchiveException">The file is not valid CSV.</exception>
    public void Append(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            switch (_state)
            {
                case State.Outside:
                {
                    var next = data.IndexOfAny(OutsideQuotes);
                    if (next < 0)
                    {
                        _lineHasContent = true;
                        _previous = data[^1];
                        return;
                    }

                    if (next > 0)
                    {
                        _lineHasContent = true;
                        _previous = data[next - 1];
                    }

                    var found = data[next];
                    if (found == (byte)'"')
                    {
                        // A quote opens a field only at its start: at the start of a line or right after a comma.
                        if (_previous is not ((byte)',' or (byte)'\r' or (byte)'\n'))
                        {
                            throw Invalid("a quote inside an unquoted field");
                        }

                        _lineHasContent = true;
                        _state = State.InQuotes;
                    }
                    else
                    {
                        EndLine();
                    }

                    _previous = found;
                    data = data[(next + 1)..];
                    break;
                }

                case State.InQuotes:
                {
                    var next = data.IndexOf((byte)'"');
                    if (next < 0)
                    {
                        return;
                    }

                    _state = State.AfterQuote;
                    data = data[(next + 1)..];
                    break;
                }

                default:
                {
                    var found = data[0];
                    if (found == (byte)'"')
                    {
                        _state = State.InQuotes;
                    }
                    else if (found is (byte)',' or (byte)'\r' or (byte)'\n')
                    {
                        _state = State.Outside;
                        if (found != (byte)',')
                        {
                            EndLine();
                        }
                    }
                    else
                    {
                        throw Invalid("text after a closing quote");
                    }

                    _previous = found;
                    data = data[1..];
                    break;
                }
            }
        }
    }

    /// <summary>Ends the file: the data rows, the header row not counted.</summary>
    /// <exception cref="InvalidExportArchiveException">The file ends inside a quoted field.</exception>
    public long Complete()
    {
        if (_state == State.InQuotes)
        {
            throw Invalid("a quoted field that is never closed");
        }

        EndLine();
        return Math.Max(0, _records - 1);
    }

    private void EndLine()
    {
        if (_lineHasContent)
        {
            _records++;
            _lineHasContent = false;
        }
    }

    private InvalidExportArchiveException Invalid(string what) =>
        new(ExportArchiveProblem.InvalidCsv, _name, $"The export file '{_name}' is not valid CSV (row {_records + 1}): {what}.");
}
