using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace RoleMining.Cli.Output;

/// <summary>
/// Writes a JSON array with <see cref="Utf8JsonWriter"/>, flushed after every page: the array is never held whole. The
/// bytes of each page go through a small reusable buffer to the destination writer, which is the console or a file.
/// </summary>
/// <typeparam name="T">The record type.</typeparam>
internal sealed class JsonRecordWriter<T> : IRecordWriter<T>
{
    private readonly TextWriter _destination;
    private readonly JsonTypeInfo<T> _typeInfo;
    private readonly ArrayBufferWriter<byte> _buffer = new(16 * 1024);
    private readonly Utf8JsonWriter _json;
    private bool _started;

    public JsonRecordWriter(TextWriter destination, JsonTypeInfo<T> typeInfo, bool indented)
    {
        _destination = destination;
        _typeInfo = typeInfo;
        _json = new Utf8JsonWriter(_buffer, new JsonWriterOptions { Indented = indented });
    }

    public async Task WritePageAsync(IReadOnlyList<T> page, CancellationToken cancellationToken)
    {
        StartArray();
        foreach (var item in page)
        {
            JsonSerializer.Serialize(_json, item, _typeInfo);
        }

        await FlushAsync(cancellationToken);
    }

    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        StartArray();
        _json.WriteEndArray();
        await FlushAsync(cancellationToken);
        await _destination.WriteLineAsync();
        await _destination.FlushAsync(cancellationToken);
    }

    public ValueTask DisposeAsync() => _json.DisposeAsync();

    private void StartArray()
    {
        if (!_started)
        {
            _json.WriteStartArray();
            _started = true;
        }
    }

    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        _json.Flush();
        // Utf8JsonWriter flushes whole tokens only, so the buffer never ends inside a UTF-8 sequence.
        await _destination.WriteAsync(Encoding.UTF8.GetString(_buffer.WrittenSpan).AsMemory(), cancellationToken);
        await _destination.FlushAsync(cancellationToken);
        _buffer.ResetWrittenCount();
    }
}
