using Microsoft.AspNetCore.Http;

namespace RoleMining.Api.Routing;

/// <summary>
/// The route table: the one list of operations that the minimal-API mapping (<see cref="RoleMiningApiEndpoints.MapRoleMiningApi"/>),
/// the Azure Functions triggers, <c>openapi.json</c> and the custom connector are all checked against.
/// </summary>
public static class ApiRoutes
{
    /// <summary>The path prefix of every route (the Azure Functions default <c>routePrefix</c>).</summary>
    public const string Prefix = "api";

    /// <summary><c>GET sessions</c>.</summary>
    public const string ListSessions = "ListSessions";

    /// <summary><c>GET sessions/{sessionId}</c>.</summary>
    public const string GetSession = "GetSession";

    /// <summary><c>GET sessions/{sessionId}/potential-roles</c>.</summary>
    public const string ListPotentialRoles = "ListPotentialRoles";

    /// <summary><c>GET sessions/{sessionId}/potential-roles/{potentialRoleId}/identities</c>.</summary>
    public const string ListPotentialRoleIdentities = "ListPotentialRoleIdentities";

    /// <summary><c>POST sessions/{sessionId}/potential-roles/{potentialRoleId}/exports</c>.</summary>
    public const string StartPotentialRoleExport = "StartPotentialRoleExport";

    /// <summary><c>POST sessions/{sessionId}/exports</c>.</summary>
    public const string StartSessionExport = "StartSessionExport";

    /// <summary><c>GET sessions/{sessionId}/exports/{batchId}</c>.</summary>
    public const string GetSessionExport = "GetSessionExport";

    /// <summary><c>GET exports/{jobId}</c>.</summary>
    public const string GetExport = "GetExport";

    /// <summary><c>GET exports/{jobId}/artifacts/{name}</c> (and HEAD).</summary>
    public const string GetExportArtifact = "GetExportArtifact";

    /// <summary>Every operation of the API.</summary>
    public static IReadOnlyList<ApiRoute> All { get; } =
    [
        new("GET", "sessions", ListSessions, "List role-mining sessions",
            (handlers, request, token) => handlers.Sessions.ListSessionsAsync(request, token)),
        new("GET", "sessions/{sessionId}", GetSession, "Get a role-mining session",
            (handlers, request, token) => handlers.Sessions.GetSessionAsync(request, Value(request, "sessionId"), token)),
        new("GET", "sessions/{sessionId}/potential-roles", ListPotentialRoles, "List the potential roles of a session",
            (handlers, request, token) => handlers.Sessions.ListPotentialRolesAsync(request, Value(request, "sessionId"), token)),
        new("GET", "sessions/{sessionId}/potential-roles/{potentialRoleId}/identities", ListPotentialRoleIdentities, "List or stream the identities of a potential role",
            (handlers, request, token) => handlers.Sessions.ListPotentialRoleIdentitiesAsync(request, Value(request, "sessionId"), Value(request, "potentialRoleId"), token)),
        new("POST", "sessions/{sessionId}/potential-roles/{potentialRoleId}/exports", StartPotentialRoleExport, "Export a potential role",
            (handlers, request, token) => handlers.ExportRequests.StartPotentialRoleExportAsync(request, Value(request, "sessionId"), Value(request, "potentialRoleId"), token)),
        new("POST", "sessions/{sessionId}/exports", StartSessionExport, "Export every potential role of a session",
            (handlers, request, token) => handlers.ExportRequests.StartSessionExportAsync(request, Value(request, "sessionId"), token)),
        new("GET", "sessions/{sessionId}/exports/{batchId}", GetSessionExport, "Get a session-wide export",
            (handlers, request, token) => handlers.ExportStatus.GetSessionExportAsync(request, Value(request, "sessionId"), Value(request, "batchId"), token)),
        new("GET", "exports/{jobId}", GetExport, "Get an export job",
            (handlers, request, token) => handlers.ExportStatus.GetExportAsync(request, Value(request, "jobId"), token)),
        new("GET", "exports/{jobId}/artifacts/{name}", GetExportArtifact, "Download a file of a finished export",
            (handlers, request, token) => handlers.ExportStatus.GetExportArtifactAsync(request, Value(request, "jobId"), Value(request, "name"), token),
            AnswersHead: true),
    ];

    /// <summary>The route with <paramref name="operationId"/>.</summary>
    public static ApiRoute Find(string operationId) =>
        All.FirstOrDefault(route => string.Equals(route.OperationId, operationId, StringComparison.Ordinal))
        ?? throw new ArgumentException($"No route has the operationId '{operationId}'.", nameof(operationId));

    private static string Value(HttpRequest request, string name) =>
        request.RouteValues.TryGetValue(name, out var value) ? Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty : string.Empty;
}
