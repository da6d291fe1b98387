using System.Buffers;

namespace RoleMining.Exports;

/// <summary>
/// A pooled block of the download that several consumers hold at once without copying: the zip's write-behind, the
/// unpacked entry's write-behind (a stored entry's bytes are the zip's bytes) and the parser. Returned to the pool when
/// the last holder releases it.
/// </summary>
internal sealed class SharedChunk
{
    /// <summary>
    /// Block size: large enough that a storage write or a block upload costs little per byte and the per-block work
    /// (queueing, hashing calls) vanishes, small enough that the few in flight keep the working set flat.
    /// </summary>
    public const int Size = 256 * 1024;

    // A private pool: the shared one keeps few arrays this large per core, and a miss would allocate on the large
    // object heap for every block of a download.
    private static readonly ArrayPool<byte> Pool = ArrayPool<byte>.Create(Size, 64);

    private int _holders;

    private SharedChunk(byte[] array)
    {
        Array = array;
        _holders = 1;
    }

    public byte[] Array { get; }

    /// <summary>Bytes of <see cref="Array"/> that hold data.</summary>
    public int Length { get; set; }

    public ReadOnlyMemory<byte> Memory => Array.AsMemory(0, Length);

    /// <summary>A chunk held once (by the caller).</summary>
    public static SharedChunk Rent() => new(Pool.Rent(Size));

    public void Retain() => Interlocked.Increment(ref _holders);

    public void Release()
    {
        var left = Interlocked.Decrement(ref _holders);
        if (left == 0)
        {
            Pool.Return(Array);
        }
        else if (left < 0)
        {
            throw new InvalidOperationException("A download chunk was released more often than it was held.");
        }
    }
}
