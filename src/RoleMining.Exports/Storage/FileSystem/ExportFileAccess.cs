namespace RoleMining.Exports;

/// <summary>Who may read what the filesystem stores write (see <see cref="ExportFileSystemOptions.Access"/>).</summary>
public enum ExportFileAccess
{
    /// <summary>The user who runs the export only: files 600, folders 700.</summary>
    Owner = 0,

    /// <summary>The owner, and the owner's group read-only: files 640, folders 750.</summary>
    Group,

    /// <summary>Everyone may read: files 644, folders 755.</summary>
    Everyone,
}

/// <summary>Creates files and folders with the Unix permissions of an <see cref="ExportFileAccess"/>.</summary>
public static class ExportFilePermissions
{
    private const UnixFileMode OwnerFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerFolder = OwnerFile | UnixFileMode.UserExecute;

    /// <summary>The mode of a new file; null on Windows.</summary>
    public static UnixFileMode? FileMode(ExportFileAccess access) => OperatingSystem.IsWindows() ? null : access switch
    {
        ExportFileAccess.Group => OwnerFile | UnixFileMode.GroupRead,
        ExportFileAccess.Everyone => OwnerFile | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
        _ => OwnerFile,
    };

    /// <summary>
    /// Creates <paramref name="path"/> and missing parents with the folder mode of <paramref name="access"/>. With
    /// <paramref name="root"/>, the folders between it and <paramref name="path"/> are then given that mode if they do not
    /// have it: a folder removed and created again by someone else while this ran (a store removes the folders it empties)
    /// would otherwise have the umask's default.
    /// </summary>
    public static void CreateDirectory(string path, ExportFileAccess access, string? root = null)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return;
        }

        var mode = access switch
        {
            ExportFileAccess.Group => OwnerFolder | UnixFileMode.GroupRead | UnixFileMode.GroupExecute,
            ExportFileAccess.Everyone => OwnerFolder | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute,
            _ => OwnerFolder,
        };

        // Directory.CreateDirectory(path, mode) gives the mode to the last folder only; missing parents would get the
        // umask's default (755), so each missing level is created here, from the top down.
        var fullPath = Path.GetFullPath(path);
        var missing = new Stack<string>();
        for (var current = fullPath; !Directory.Exists(current); current = Path.GetDirectoryName(current)!)
        {
            missing.Push(current);
            if (Path.GetDirectoryName(current) is null)
            {
                break;
            }
        }

        while (missing.TryPop(out var folder))
        {
            Directory.CreateDirectory(folder, mode);
        }

        if (root is null)
        {
            return;
        }

        var below = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root)) + Path.DirectorySeparatorChar;
        for (var current = fullPath; current.StartsWith(below, StringComparison.Ordinal); current = Path.GetDirectoryName(current)!)
        {
            try
            {
                if (File.GetUnixFileMode(current) != mode)
                {
                    File.SetUnixFileMode(current, mode);
                }
            }
            catch (UnauthorizedAccessException)
            {
                // Another user's folder (a shared root with group access): theirs to set.
            }
        }
    }

    /// <summary>Opens a file stream that creates the file (if it does not exist) with the file mode of <paramref name="access"/>.</summary>
    public static FileStream Open(string path, FileMode mode, FileAccess fileAccess, FileShare share, int bufferSize, FileOptions options, ExportFileAccess access) =>
        new(path, StreamOptions(mode, fileAccess, share, bufferSize, options, mode == System.IO.FileMode.Open ? null : FileMode(access)));

    /// <summary>Stream options with <paramref name="createMode"/> as the Unix mode of a file they create.</summary>
    internal static FileStreamOptions StreamOptions(FileMode mode, FileAccess fileAccess, FileShare share, int bufferSize, FileOptions options, UnixFileMode? createMode)
    {
        var streamOptions = new FileStreamOptions { Mode = mode, Access = fileAccess, Share = share, BufferSize = bufferSize, Options = options };
        if (createMode is { } unixMode && !OperatingSystem.IsWindows())
        {
            streamOptions.UnixCreateMode = unixMode;
        }

        return streamOptions;
    }
}
