namespace RoleMining.SailPoint;

/// <summary>Time budgets.</summary>
public sealed class SailPointTimeoutOptions
{
    /// <summary>Establishing one connection (TCP and TLS); a host that does not answer fails after this.</summary>
    public TimeSpan Connect { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>One HTTP attempt, until the response (headers, for downloads) is in.</summary>
    public TimeSpan Attempt { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>
    /// One operation, including retries, their delays and waiting for a rate-limit permit. One page of an enumeration
    /// is one operation.
    /// </summary>
    public TimeSpan Total { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// A read of a download body that gets no byte for this long gives the download up (an <see cref="IOException"/>; the
    /// export retries it): a connection dropped without a reset would otherwise hang the download for ever.
    /// </summary>
    public TimeSpan DownloadIdle { get; set; } = TimeSpan.FromSeconds(60);
}
