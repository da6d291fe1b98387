using System.ComponentModel.DataAnnotations;
using System.IO.Compression;
using RoleMining.Validation;

namespace RoleMining.Emulator;

/// <summary>Timing of the export-async lifecycle and the compression of export zips.</summary>
public sealed class EmulatorExportOptions
{
    /// <summary>How long a new export reports <c>QUEUED</c> (measured on the injected <see cref="TimeProvider"/>).</summary>
    [TimeSpanRange("00:00:00", "1.00:00:00")]
    public TimeSpan QueuedFor { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long an export then reports <c>IN_PROGRESS</c> before <c>SUCCESS</c> (or <c>ERROR</c>).</summary>
    [TimeSpanRange("00:00:00", "1.00:00:00")]
    public TimeSpan InProgressFor { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Zip compression: <see cref="CompressionLevel.Optimal"/> (default) or <see cref="CompressionLevel.NoCompression"/>
    /// (lets a benchmark produce a large download cheaply).</summary>
    [EnumDataType(typeof(CompressionLevel))]
    public CompressionLevel Compression { get; set; } = CompressionLevel.Optimal;
}
