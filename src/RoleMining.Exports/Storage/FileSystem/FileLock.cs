using System.Diagnostics;

namespace RoleMining.Exports.Storage.FileSystem;

/// <summary>
/// An exclusive lock on a lock file, honoured across processes: .NET opens a file with <see cref="FileShare.None"/>
/// under an OS lock (an advisory <c>flock</c> on Unix, a share mode on Windows), so a second opener fails until the
/// first closes it. Hand-written because no BCL type offers a cross-process, cross-platform named lock with a timeout.
/// </summary>
internal sealed class FileLock : IDisposable
{
    private readonly FileStream _stream;

    private FileLock(FileStream stream) => _stream = stream;

    /// <remarks>
    /// The wait and its timeout follow real time, never an injected clock: the lock is held by another thread or process
    /// that releases it in real time, so a test clock that stands still must neither stall the wait nor time it out.
    /// </remarks>
    public static async Task<FileLock> AcquireAsync(string lockPath, TimeSpan timeout, CancellationToken cancellationToken, UnixFileMode? createMode = null)
    {
        var started = Stopwatch.GetTimestamp();
        var wait = TimeSpan.FromMilliseconds(2);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                return new FileLock(new FileStream(lockPath, ExportFilePermissions.StreamOptions(FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None, createMode)));
            }
            catch (IOException exception) when (exception is not FileNotFoundException and not DirectoryNotFoundException)
            {
                if (Stopwatch.GetElapsedTime(started) > timeout)
                {
                    throw new TimeoutException($"The lock file '{lockPath}' stayed locked for more than {timeout}.", exception);
                }
            }
            catch (UnauthorizedAccessException exception) when (OperatingSystem.IsWindows())
            {
                // Windows reports a file being deleted or locked in some modes as access denied; it is transient here.
                if (Stopwatch.GetElapsedTime(started) > timeout)
                {
                    throw new TimeoutException($"The lock file '{lockPath}' stayed locked for more than {timeout}.", exception);
                }
            }

            await Task.Delay(wait + TimeSpan.FromMilliseconds(Random.Shared.Next(0, 5)), cancellationToken).ConfigureAwait(false);
            wait = TimeSpan.FromMilliseconds(Math.Min(wait.TotalMilliseconds * 2, 50));
        }
    }

    public void Dispose() => _stream.Dispose();
}
