using System.Security.Cryptography;

namespace RoleMining.Exports;

/// <summary>What one pass over the download produced.</summary>
/// <param name="ZipSize">Bytes of the zip.</param>
/// <param name="ZipSha256">SHA-256 of the zip, lowercase hex.</param>
/// <param name="Entries">The verified, unpacked entries; null when the zip must be verified from storage (<paramref name="SecondPassReason"/>).</param>
/// <param name="SecondPassReason">Why the single pass could not verify the zip, when it could not.</param>
internal sealed record DownloadedArchive(long ZipSize, string ZipSha256, IReadOnlyList<ExtractedEntry>? Entries, string? SecondPassReason);

/// <summary>
/// The download step's one pass over an export: every byte is read from the socket once, into pooled blocks, and from
/// there (without copying) goes three ways at the same time: to the staged zip (written behind on its own task, which
/// also computes the zip's SHA-256), through the single-pass verifier (which checks the zip's structure, and for each
/// entry its CRC-32, size and CSV rows as it unpacks it), and, unpacked, to the staged CSV files (each written behind).
/// </summary>
/// <remarks>
/// Measured on main before this (one 530 MB stored export, Stopwatch and CPU time per stage): the download, a second
/// read of the zip to verify and unpack it with a table CRC-32 at ~430 MB/s, and a third read of each CSV file through
/// CsvHelper at ~210 MB/s made the workflow cost 3x the CPU of curl + unzip. Here the CRC-32 is System.IO.Hashing's
/// (vectorised), rows are counted on the bytes (<see cref="CsvRowCounter"/>), and the reads of storage are gone.
/// </remarks>
internal static class ExportDownloadPipeline
{
    /// <summary>
    /// Zip blocks queued ahead of storage (<see cref="SharedChunk.Size"/> each, 2 MB in all): enough to absorb a slow
    /// write, and a bound on what a stalled store can hold in memory. It fills only when storage falls behind: with the
    /// page cache absorbing the writes, 50 MB and 510 MB exports to files peaked at 4 blocks rented at once (a counter on
    /// <see cref="SharedChunk.Rent"/>); a 2 GB one, whose writes the kernel throttled, had pooled 10 by its end (a heap
    /// dump), so more of them were queued at some moment.
    /// </summary>
    private const int ZipWriteQueue = 8;

    public static async Task<DownloadedArchive> RunAsync(
        Stream network,
        long? announcedLength,
        long maxZipBytes,
        Stream zipDestination,
        SinglePassArchiveVerifier verifier,
        Func<string, CancellationToken, Task<Stream>> openEntry,
        CancellationToken cancellationToken)
    {
        using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var zipWriter = new WriteBehind(zipDestination, ZipWriteQueue, observe: bytes => sha256.AppendData(bytes));
        await using (zipWriter.ConfigureAwait(false))
        {
            using var source = new ZipByteSource(network, maxZipBytes, (block, token) => zipWriter.EnqueueAsync(block, 0, block.Length, token));
            IReadOnlyList<ExtractedEntry>? entries = null;
            string? secondPassReason = null;
            try
            {
                entries = await verifier.VerifyAndExtractAsync(source, openEntry, cancellationToken).ConfigureAwait(false);
            }
            catch (ArchiveNotStreamableException exception)
            {
                // Not a verdict: the rest is stored as it comes and verified from storage by the caller.
                secondPassReason = exception.Message;
            }

            await source.DrainAsync(cancellationToken).ConfigureAwait(false);
            if (announcedLength is { } announced && announced != source.Received)
            {
                throw new InvalidExportArchiveException(ExportArchiveProblem.Truncated, null,
                    $"The export download ended after {source.Received:N0} of the {announced:N0} bytes announced.");
            }

            await zipWriter.CompleteAsync(cancellationToken).ConfigureAwait(false);
            return new DownloadedArchive(source.Received, Convert.ToHexStringLower(sha256.GetHashAndReset()), entries, secondPassReason);
        }
    }
}
