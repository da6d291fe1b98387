using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using System.Globalization;

namespace RoleMining.Exports.Bench;

/// <summary>
/// Which types this process allocates, from the runtime's allocation ticks (one event per ~100 KB allocated, naming the
/// type that crossed the mark): a sampling allocation profile without dotnet-trace, for <see cref="ExportChild"/> when
/// ROLEMINING_BENCH_ALLOCATIONS=1.
/// </summary>
internal sealed class AllocationProfile : EventListener
{
    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private readonly ConcurrentDictionary<string, long> _bytes = new(StringComparer.Ordinal);

    public void Print(TextWriter output)
    {
        foreach (var (type, bytes) in _bytes.OrderByDescending(pair => pair.Value).Take(12))
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  ~{bytes / (1024.0 * 1024.0),7:0.0} MB  {type}"));
        }
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Verbose, GcKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (eventData.EventName?.StartsWith("GCAllocationTick", StringComparison.Ordinal) == true && eventData.Payload is { } payload && eventData.PayloadNames is { } names)
        {
            var type = payload[names.IndexOf("TypeName")] as string ?? "?";
            if (names.IndexOf("ObjectSize") is var size and >= 0)
            {
                // The size of the object that crossed the mark tells which buffers they are.
                type += string.Create(CultureInfo.InvariantCulture, $" ({Convert.ToInt64(payload[size], CultureInfo.InvariantCulture):N0} B)");
            }

            var amount = Convert.ToInt64(payload[names.IndexOf("AllocationAmount64")], CultureInfo.InvariantCulture);
            _bytes.AddOrUpdate(type, amount, (_, total) => total + amount);
        }
    }
}
