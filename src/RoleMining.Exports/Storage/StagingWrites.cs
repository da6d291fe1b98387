namespace RoleMining.Exports;

/// <summary>What the writers of staging streams share.</summary>
internal static class StagingWrites
{
    /// <summary>
    /// Runs <paramref name="write"/> on <paramref name="destination"/> and closes it: the write is completed when
    /// <paramref name="write"/> returns and given up (<see cref="GiveUp"/>) when it throws, since closing alone would
    /// complete a failed write.
    /// </summary>
    public static async Task WriteAndCloseAsync(Stream destination, Func<Stream, Task> write)
    {
        await using (destination.ConfigureAwait(false))
        {
            try
            {
                await write(destination).ConfigureAwait(false);
            }
            catch
            {
                GiveUp(destination);
                throw;
            }
        }
    }

    /// <summary>
    /// Gives the write of <paramref name="stream"/> up when the stream can be given up (<see cref="IAbandonableWrite"/>).
    /// Never throws: it runs while another failure is on its way to the caller, and that one must not be replaced.
    /// </summary>
    public static void GiveUp(Stream stream)
    {
        if (stream is not IAbandonableWrite write)
        {
            return;
        }

        try
        {
            write.Abandon();
        }
        catch (Exception)
        {
            // Closing the stream comes next and is what matters; a partial staging file is removed by the next attempt.
        }
    }
}
