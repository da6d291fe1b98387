using System.Diagnostics;
using System.Globalization;

namespace RoleMining.Exports.Bench;

/// <summary>
/// Finds the process that listens on a local TCP port (Azurite, which the wire run is given only as a connection string),
/// so that the run can read how much CPU it spent while a contender ran: on a machine with few cores, what the storage
/// and the API emulator spend bounds the contender's wall time as much as the contender's own work.
/// </summary>
/// <remarks>
/// Written by hand: .NET has no API for the owner of a socket. Linux only (it reads /proc/net/tcp and the processes'
/// open descriptors); elsewhere it finds nothing and the run leaves the figure out.
/// </remarks>
internal static class ServingProcesses
{
    private const string ListenState = "0A";

    /// <summary>The process listening on <paramref name="port"/> of this machine, or null if none can be seen.</summary>
    public static Process? ListeningOn(int port)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        var sockets = ListeningSocketInodes(port);
        if (sockets.Count == 0)
        {
            return null;
        }

        foreach (var process in new DirectoryInfo("/proc").EnumerateDirectories())
        {
            if (!int.TryParse(process.Name, NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                foreach (var descriptor in new DirectoryInfo(Path.Combine(process.FullName, "fd")).EnumerateFileSystemInfos())
                {
                    if (descriptor.LinkTarget is { } target && sockets.Contains(target))
                    {
                        return Process.GetProcessById(pid);
                    }
                }
            }
            catch (Exception exception) when (exception is UnauthorizedAccessException or IOException or ArgumentException)
            {
                // Another user's process, or one that has just exited.
            }
        }

        return null;
    }

    /// <summary>CPU time (user + sys) the process has used so far.</summary>
    public static TimeSpan CpuOf(Process process)
    {
        process.Refresh();
        return process.TotalProcessorTime;
    }

    /// <summary>"socket:[inode]" of each socket listening on the port (IPv4 and IPv6), as /proc/PID/fd links name them.</summary>
    private static HashSet<string> ListeningSocketInodes(int port)
    {
        var inodes = new HashSet<string>(StringComparer.Ordinal);
        var hexPort = port.ToString("X4", CultureInfo.InvariantCulture);
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            if (!File.Exists(table))
            {
                continue;
            }

            // Columns: sl, local_address (hex address:port), rem_address, st, tx_queue:rx_queue, tr:tm->when, retrnsmt, uid, timeout, inode.
            foreach (var line in File.ReadLines(table).Skip(1))
            {
                var columns = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (columns.Length > 9 && columns[3] == ListenState && columns[1].EndsWith(":" + hexPort, StringComparison.Ordinal))
                {
                    inodes.Add($"socket:[{columns[9]}]");
                }
            }
        }

        return inodes;
    }
}
