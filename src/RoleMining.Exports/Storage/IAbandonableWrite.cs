namespace RoleMining.Exports;

/// <summary>
/// A staging stream whose write can be given up. Closing a stream completes its write (a blob's block list is committed
/// then), so a writer that fails or is cancelled midway calls <see cref="Abandon"/> first: the close then discards what
/// was written, without finishing uploads that no one will read (a blob's staging stream), or deletes the partial file
/// (the filesystem's). A Stream has no way to say this, hence the interface. Writers call it through
/// <see cref="StagingWrites.GiveUp"/>, which never throws.
/// </summary>
public interface IAbandonableWrite
{
    /// <summary>Gives the write up: pending work is cancelled and closing the stream will not complete it.</summary>
    void Abandon();
}
