namespace RoleMining.Exports;

/// <summary>Tells storage failures that no retry can fix from the transient ones.</summary>
public static class StorageFailures
{
    // .NET puts the errno of a failed Unix file operation in IOException.HResult, and the Win32 error as an HRESULT on Windows.
    private const int UnixNoSpace = 28; // ENOSPC on Linux and macOS
    private const int LinuxQuotaExceeded = 122; // EDQUOT
    private const int MacQuotaExceeded = 69; // EDQUOT
    private const int WindowsDiskFull = unchecked((int)0x80070070); // ERROR_DISK_FULL
    private const int WindowsHandleDiskFull = unchecked((int)0x80070027); // ERROR_HANDLE_DISK_FULL

    /// <summary>Whether <paramref name="exception"/> (or one it wraps) says the disk or the quota is full.</summary>
    public static bool IsOutOfSpace(Exception? exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is IOException { HResult: var code }
                && (code is WindowsDiskFull or WindowsHandleDiskFull
                    || (!OperatingSystem.IsWindows() && code is UnixNoSpace || (OperatingSystem.IsLinux() && code == LinuxQuotaExceeded) || (OperatingSystem.IsMacOS() && code == MacQuotaExceeded))))
            {
                return true;
            }
        }

        return false;
    }
}
