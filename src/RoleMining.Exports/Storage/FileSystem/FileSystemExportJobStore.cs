using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace RoleMining.Exports.Storage.FileSystem;

/// <summary>
/// Job documents as files <c>{root}/{jobId}.json</c>. Writes are atomic (a temporary file renamed over the document) and
/// checked under a per-job lock file, so concurrent writers in any number of processes get optimistic concurrency: the
/// ETag is a hash of the document's bytes, and a replace succeeds only while the document still has those bytes.
/// Readers take no lock: a rename swaps the whole document at once.
/// </summary>
public sealed class FileSystemExportJobStore : IExportJobStore
{
    private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(30);
    private readonly string _root;
    private readonly ILogger _logger;
    private readonly ExportFileAccess _access;

    /// <summary>Creates a store in <paramref name="root"/> (created if missing).</summary>
    public FileSystemExportJobStore(
        string root, ILogger<FileSystemExportJobStore>? logger = null, ExportFileAccess access = ExportFileAccess.Owner, string? jobIdScope = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        _root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        _logger = logger ?? NullLogger<FileSystemExportJobStore>.Instance;
        _access = access;
        JobIdScope = jobIdScope;
        ExportFilePermissions.CreateDirectory(_root, _access);
    }

    /// <summary>The folder of the job documents.</summary>
    public string Root => _root;

    /// <inheritdoc />
    public string? JobIdScope { get; }

    /// <inheritdoc />
    public async Task<StoredExportJob?> GetAsync(string jobId, CancellationToken cancellationToken = default)
    {
        var bytes = await ReadDocumentAsync(DocumentPath(jobId), cancellationToken).ConfigureAwait(false);
        return bytes is null ? null : new StoredExportJob(ExportsJson.DeserializeJob(bytes), ETagOf(bytes));
    }

    /// <inheritdoc />
    public async Task<StoredExportJob?> TryCreateAsync(ExportJob job, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(job);
        var path = DocumentPath(job.JobId);
        using (await LockAsync(job.JobId, cancellationToken).ConfigureAwait(false))
        {
            if (File.Exists(path))
            {
                return null;
            }

            var bytes = ExportsJson.SerializeJob(job);
            await WriteAtomicallyAsync(path, bytes, cancellationToken).ConfigureAwait(false);
            return new StoredExportJob(job, ETagOf(bytes));
        }
    }

    /// <inheritdoc />
    public async Task<StoredExportJob?> TryReplaceAsync(ExportJob job, string etag, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentException.ThrowIfNullOrEmpty(etag);
        var path = DocumentPath(job.JobId);
        using (await LockAsync(job.JobId, cancellationToken).ConfigureAwait(false))
        {
            var current = await ReadDocumentAsync(path, cancellationToken).ConfigureAwait(false);
            if (current is null || !string.Equals(ETagOf(current), etag, StringComparison.Ordinal))
            {
                return null;
            }

            var bytes = ExportsJson.SerializeJob(job);
            await WriteAtomicallyAsync(path, bytes, cancellationToken).ConfigureAwait(false);
            return new StoredExportJob(job, ETagOf(bytes));
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ExportJob> QueryAsync(ExportJobQuery query, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        foreach (var path in Directory.EnumerateFiles(_root, "*.json"))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var bytes = await ReadDocumentAsync(path, cancellationToken).ConfigureAwait(false);
            if (bytes is null)
            {
                continue;
            }

            ExportJob job;
            try
            {
                job = ExportsJson.DeserializeJob(bytes);
            }
            catch (JsonException exception)
            {
                // Writes are atomic, so this is a file someone else put here; skip it rather than fail every listing.
                _logger.LogWarning(exception, "Skipped {Path}: it is not an export job document", path);
                continue;
            }

            if (query.Matches(job))
            {
                yield return job;
            }
        }
    }

    /// <summary>
    /// Deletes the temporary files of writes that a killed process never finished (<c>{jobId}.json.{guid}.tmp</c>). A write
    /// in progress holds its job's lock, so only files whose lock is free are removed. Returns how many were removed.
    /// </summary>
    public async Task<int> RemoveTemporaryLeftoversAsync(CancellationToken cancellationToken = default)
    {
        var removed = 0;
        foreach (var path in Directory.EnumerateFiles(_root, "*.json.*.tmp"))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var jobId = Path.GetFileName(path).Split('.')[0];
            if (!ExportJobIds.IsSafeSegment(jobId))
            {
                continue;
            }

            try
            {
                using (await FileLock.AcquireAsync(Path.Combine(_root, jobId + ".lock"), TimeSpan.Zero, cancellationToken, ExportFilePermissions.FileMode(_access)).ConfigureAwait(false))
                {
                    File.Delete(path);
                    removed++;
                }
            }
            catch (TimeoutException)
            {
                // Being written by a live process right now.
            }
        }

        return removed;
    }

    private string DocumentPath(string jobId)
    {
        ExportJobIds.ThrowIfUnsafe(jobId, nameof(jobId));
        return Path.Combine(_root, jobId + ".json");
    }

    private Task<FileLock> LockAsync(string jobId, CancellationToken cancellationToken) =>
        FileLock.AcquireAsync(Path.Combine(_root, jobId + ".lock"), LockTimeout, cancellationToken, ExportFilePermissions.FileMode(_access));

    private static string ETagOf(byte[] document) => Convert.ToHexStringLower(SHA256.HashData(document).AsSpan(0, 16));

    private static async Task<byte[]?> ReadDocumentAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            // FileShare.Delete lets a writer rename a new version over this file while it is being read (Windows).
            var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 4096, FileOptions.Asynchronous);
            await using (stream.ConfigureAwait(false))
            {
                var buffer = new MemoryStream(capacity: (int)Math.Min(stream.Length, 1 << 20));
                await stream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
                return buffer.ToArray();
            }
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
    }

    private async Task WriteAtomicallyAsync(string path, byte[] bytes, CancellationToken cancellationToken)
    {
        var temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        try
        {
            var stream = ExportFilePermissions.Open(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous, _access);
            await using (stream.ConfigureAwait(false))
            {
                await stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // A leftover temporary file is harmless: listings read only *.json.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
