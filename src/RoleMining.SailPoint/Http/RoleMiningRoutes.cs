using System.Globalization;
using System.Text;

namespace RoleMining.SailPoint.Http;

/// <summary>
/// Builds the relative URI and operationId of each role-mining call for one API version. The year versions and beta
/// put the version first (<c>v2024/role-mining-sessions/...</c>); the per-resource version puts it after the resource
/// (<c>role-mining-sessions/v1/...</c>) and suffixes operationIds with <c>V1</c>.
/// </summary>
internal sealed class RoleMiningRoutes
{
    private readonly string _sessions;
    private readonly string _operationSuffix;
    private readonly bool _experimental;

    public RoleMiningRoutes(RoleMiningApiVersion apiVersion)
    {
        var segment = apiVersion.PathSegment();
        ApiVersion = apiVersion;
        var perResource = apiVersion == RoleMiningApiVersion.V1;
        _sessions = perResource ? "role-mining-sessions/v1" : segment + "/role-mining-sessions";
        _operationSuffix = perResource ? "V1" : string.Empty;

        // Every role-mining operation of v2024/v2025/v2026/v1 declares the header as required; beta declares none.
        _experimental = apiVersion != RoleMiningApiVersion.Beta;
    }

    /// <summary>
    /// The operationIds of the calls this client makes, as the year versions and beta name them (the per-resource version
    /// appends <c>V1</c>); per-operation rate limits are keyed by these.
    /// </summary>
    public static IReadOnlyCollection<string> OperationIds { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "getRoleMiningSessions", "getRoleMiningSession", "getRoleMiningSessionStatus", "getPotentialRoleSummaries",
        "getPotentialRole", "getIdentitiesPotentialRole", "getEntitlementsPotentialRole", "exportRoleMiningPotentialRoleAsync",
        "exportRoleMiningPotentialRoleStatus", "downloadRoleMiningPotentialRoleZip",
    };

    public RoleMiningApiVersion ApiVersion { get; }

    /// <summary>The operationId without the per-resource version's <c>V1</c> suffix.</summary>
    public static string CanonicalOperationId(string operationId) =>
        operationId.EndsWith("V1", StringComparison.Ordinal) ? operationId[..^2] : operationId;

    public RoleMiningOperation GetSessions(PageRequest request) =>
        Get("getRoleMiningSessions", WithPaging(_sessions, request), ResourceTypes.Session, null);

    public RoleMiningOperation GetSession(string sessionId) =>
        Get("getRoleMiningSession", Session(sessionId), ResourceTypes.Session, sessionId);

    public RoleMiningOperation GetSessionStatus(string sessionId) =>
        Get("getRoleMiningSessionStatus", Session(sessionId) + "/status", ResourceTypes.Session, sessionId);

    public RoleMiningOperation GetPotentialRoleSummaries(string sessionId, PageRequest request) =>
        Get("getPotentialRoleSummaries", WithPaging(Session(sessionId) + "/potential-role-summaries", request), ResourceTypes.Session, sessionId);

    public RoleMiningOperation GetPotentialRole(string sessionId, string potentialRoleId) =>
        Get("getPotentialRole", Session(sessionId) + "/potential-role-summaries/" + Escape(potentialRoleId), ResourceTypes.PotentialRole, potentialRoleId);

    public RoleMiningOperation GetPotentialRoleIdentities(string sessionId, string potentialRoleId, PageRequest request) =>
        Get("getIdentitiesPotentialRole", WithPaging(PotentialRole(sessionId, potentialRoleId) + "/identities", request), ResourceTypes.PotentialRole, potentialRoleId);

    public RoleMiningOperation GetEntitlementPopularities(string sessionId, string potentialRoleId, PageRequest request) =>
        Get("getEntitlementsPotentialRole", WithPaging(PotentialRole(sessionId, potentialRoleId) + "/entitlement-popularities", request), ResourceTypes.PotentialRole, potentialRoleId);

    public RoleMiningOperation StartExport(string sessionId, string potentialRoleId) =>
        new(Operation("exportRoleMiningPotentialRoleAsync"), HttpMethod.Post, PotentialRole(sessionId, potentialRoleId) + "/export-async", ResourceTypes.PotentialRole, potentialRoleId, _experimental);

    public RoleMiningOperation GetExportStatus(string sessionId, string potentialRoleId, string exportId) =>
        Get("exportRoleMiningPotentialRoleStatus", Export(sessionId, potentialRoleId, exportId), ResourceTypes.Export, exportId);

    public RoleMiningOperation DownloadExport(string sessionId, string potentialRoleId, string exportId) =>
        Get("downloadRoleMiningPotentialRoleZip", Export(sessionId, potentialRoleId, exportId) + "/download", ResourceTypes.Export, exportId);

    private static string Escape(string segment)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(segment);
        // Escaping leaves these as they are, and the URI then steps along the path instead of naming an object.
        if (segment is "." or "..")
        {
            throw new ArgumentException($"'{segment}' is not an id.", nameof(segment));
        }

        return Uri.EscapeDataString(segment);
    }

    private static string WithPaging(string path, PageRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Offset < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(request), request.Offset, "Offset must be 0 or more.");
        }

        if (request.Limit is < 0 or > CollectionQuery.MaxPageSize)
        {
            throw new ArgumentOutOfRangeException(nameof(request), request.Limit, "Limit must be between 0 and 250.");
        }

        var uri = new StringBuilder(path.Length + 64).Append(path);
        uri.Append(CultureInfo.InvariantCulture, $"?offset={request.Offset}&limit={request.Limit}");
        if (request.Count)
        {
            uri.Append("&count=true");
        }

        if (!string.IsNullOrEmpty(request.Filters))
        {
            uri.Append("&filters=").Append(Uri.EscapeDataString(request.Filters));
        }

        if (!string.IsNullOrEmpty(request.Sorters))
        {
            uri.Append("&sorters=").Append(Uri.EscapeDataString(request.Sorters));
        }

        return uri.ToString();
    }

    private string Session(string sessionId) => _sessions + "/" + Escape(sessionId);

    private string PotentialRole(string sessionId, string potentialRoleId) =>
        Session(sessionId) + "/potential-roles/" + Escape(potentialRoleId);

    private string Export(string sessionId, string potentialRoleId, string exportId) =>
        PotentialRole(sessionId, potentialRoleId) + "/export-async/" + Escape(exportId);

    private string Operation(string operationId) => operationId + _operationSuffix;

    private RoleMiningOperation Get(string operationId, string relativeUri, string resourceType, string? resourceId) =>
        new(Operation(operationId), HttpMethod.Get, relativeUri, resourceType, resourceId, _experimental);

    private static class ResourceTypes
    {
        public const string Session = "RoleMiningSession";
        public const string PotentialRole = "PotentialRole";
        public const string Export = "PotentialRoleExport";
    }
}
