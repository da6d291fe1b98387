using RoleMining.SailPoint.Models;

namespace RoleMining.SailPoint;

/// <summary>
/// The ISC role-mining API. Every call authenticates, is rate limited and retried where that is safe;
/// every failure is a <see cref="SailPointException"/> (or an <see cref="OperationCanceledException"/> when the
/// caller's token is cancelled). Collections are read a page at a time as they are enumerated, with no cap
/// (<see cref="AsyncPageable{T}"/>).
/// </summary>
public interface IRoleMiningClient
{
    /// <summary>Gets a role-mining session (<c>getRoleMiningSession</c>).</summary>
    Task<RoleMiningSession> GetSessionAsync(string sessionId, CancellationToken cancellationToken = default);

    /// <summary>Gets the status of a role-mining session (<c>getRoleMiningSessionStatus</c>).</summary>
    Task<RoleMiningSessionStatus> GetSessionStatusAsync(string sessionId, CancellationToken cancellationToken = default);

    /// <summary>Every role-mining session (<c>getRoleMiningSessions</c>).</summary>
    AsyncPageable<RoleMiningSession> GetSessionsAsync(CollectionQuery? query = null, CancellationToken cancellationToken = default);

    /// <summary>Every potential role summary of a session (<c>getPotentialRoleSummaries</c>).</summary>
    AsyncPageable<PotentialRoleSummary> GetPotentialRoleSummariesAsync(string sessionId, CollectionQuery? query = null, CancellationToken cancellationToken = default);

    /// <summary>Gets one potential role of a session as a summary (<c>getPotentialRole</c>).</summary>
    Task<PotentialRoleSummary> GetPotentialRoleSummaryAsync(string sessionId, string potentialRoleId, CancellationToken cancellationToken = default);

    /// <summary>Gets one potential role of a session with every field the service sends (<c>getPotentialRole</c>).</summary>
    Task<PotentialRole> GetPotentialRoleAsync(string sessionId, string potentialRoleId, CancellationToken cancellationToken = default);

    /// <summary>Every identity of a potential role (<c>getIdentitiesPotentialRole</c>).</summary>
    AsyncPageable<RoleMiningIdentity> GetPotentialRoleIdentitiesAsync(string sessionId, string potentialRoleId, CollectionQuery? query = null, CancellationToken cancellationToken = default);

    /// <summary>The entitlements of a potential role with their popularity (<c>getEntitlementsPotentialRole</c>).</summary>
    AsyncPageable<RoleMiningEntitlement> GetEntitlementPopularitiesAsync(string sessionId, string potentialRoleId, CollectionQuery? query = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Starts an asynchronous export (<c>exportRoleMiningPotentialRoleAsync</c>). Never sent twice unless the first
    /// attempt provably did not reach the service (connection refused, 429).
    /// </summary>
    Task<PotentialRoleExport> StartExportAsync(string sessionId, string potentialRoleId, PotentialRoleExportRequest request, CancellationToken cancellationToken = default);

    /// <summary>Gets the status of an export (<c>exportRoleMiningPotentialRoleStatus</c>).</summary>
    Task<PotentialRoleExport> GetExportStatusAsync(string sessionId, string potentialRoleId, string exportId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Opens the zip of a finished export as a stream (<c>downloadRoleMiningPotentialRoleZip</c>). The body is not
    /// buffered; dispose the result.
    /// </summary>
    Task<ExportDownload> DownloadExportAsync(string sessionId, string potentialRoleId, string exportId, CancellationToken cancellationToken = default);
}
