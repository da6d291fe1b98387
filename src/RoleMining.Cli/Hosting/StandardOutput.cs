using Microsoft.Win32.SafeHandles;

namespace RoleMining.Cli.Hosting;

/// <summary>
/// Standard output as a stream that notices when its reader has gone (<c>rolemining identities ... | head -1</c>).
/// .NET's console stream drops writes to a closed pipe without a word, so a command would go on fetching every page for
/// nobody; a FileStream over descriptor 1 gets EPIPE (the runtime ignores SIGPIPE), which
/// <see cref="OutputClosedException"/> turns into a stop.
/// </summary>
internal static class StandardOutput
{
    /// <summary>The errno of a write to a pipe nobody reads (EPIPE on Linux).</summary>
    private const int BrokenPipe = 32;

    /// <summary>
    /// A stream over standard output: for a pipe or a socket one that throws <see cref="OutputClosedException"/> once the
    /// reader has gone, otherwise the console's own. Over a file the console's stream is kept, because FileStream writes
    /// a file at offsets of its own, which would overwrite what standard error writes into the same file
    /// (<c>&gt; log 2&gt;&amp;1</c>).
    /// </summary>
    public static Stream Open()
    {
        // Linux only: there /proc tells whether the pipe is non-blocking (a Node.js parent may make it so). The console
        // stream waits when such a pipe is full; FileStream would throw, after writing an unknown part of the buffer.
        if (!OperatingSystem.IsLinux() || !Console.IsOutputRedirected || IsNonBlocking())
        {
            return Console.OpenStandardOutput();
        }

        FileStream? stream = null;
        try
        {
            stream = new FileStream(new SafeFileHandle(1, ownsHandle: false), FileAccess.Write, bufferSize: 0);
            if (!stream.CanSeek)
            {
                return new PipeStream(stream);
            }
        }
        catch (Exception exception) when (exception is IOException or ArgumentException or UnauthorizedAccessException)
        {
            // Not a descriptor FileStream takes: the console stream writes to it as before.
        }

        stream?.Dispose();
        return Console.OpenStandardOutput();
    }

    /// <summary>
    /// Whether descriptor 1 has O_NONBLOCK, from the octal <c>flags:</c> line of <c>/proc/self/fdinfo/1</c>; true when that
    /// cannot be read, so that the console stream is kept.
    /// </summary>
    private static bool IsNonBlocking()
    {
        const int NonBlocking = 0x800; // O_NONBLOCK on Linux (04000 octal).
        try
        {
            foreach (var line in File.ReadLines("/proc/self/fdinfo/1"))
            {
                if (line.StartsWith("flags:", StringComparison.Ordinal))
                {
                    return (Convert.ToInt32(line["flags:".Length..].Trim(), 8) & NonBlocking) != 0;
                }
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or FormatException)
        {
            // Not readable here: keep the console stream.
        }

        return true;
    }

    /// <summary>Whether <paramref name="exception"/> is a write to a pipe whose reader has gone (the stream exists on Linux only).</summary>
    private static bool IsBrokenPipe(IOException exception) => exception.HResult == BrokenPipe;

    /// <summary>Writes through to the pipe; a broken pipe becomes <see cref="OutputClosedException"/>.</summary>
    internal sealed class PipeStream(Stream pipe) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            try
            {
                pipe.Write(buffer);
            }
            catch (IOException exception) when (IsBrokenPipe(exception))
            {
                throw new OutputClosedException(exception);
            }
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            try
            {
                await pipe.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
            }
            catch (IOException exception) when (IsBrokenPipe(exception))
            {
                throw new OutputClosedException(exception);
            }
        }

        public override void Flush() => pipe.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => pipe.FlushAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                pipe.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}

/// <summary>The program reading standard output has gone: there is nobody left to write for.</summary>
public sealed class OutputClosedException : IOException
{
    /// <summary>Creates the exception with its standard message.</summary>
    public OutputClosedException()
        : base("Standard output was closed by the program reading it.")
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/>.</summary>
    public OutputClosedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/> and its cause.</summary>
    public OutputClosedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    internal OutputClosedException(IOException brokenPipe)
        : base("Standard output was closed by the program reading it.", brokenPipe)
    {
    }
}
