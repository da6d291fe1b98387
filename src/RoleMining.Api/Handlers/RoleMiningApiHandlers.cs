using Microsoft.AspNetCore.Http;
using RoleMining.Api.Routing;

namespace RoleMining.Api;

/// <summary>
/// The handlers of every API operation, by resource: <see cref="HttpRequest"/> and the route values in,
/// <see cref="IResult"/> out. The route table (<see cref="ApiRoutes"/>) calls them for the Azure Functions triggers, the
/// local host's minimal-API endpoints (<see cref="RoleMiningApiEndpoints.MapRoleMiningApi"/>) and the tests alike.
/// </summary>
public sealed class RoleMiningApiHandlers
{
    /// <summary>Creates the set.</summary>
    public RoleMiningApiHandlers(SessionHandlers sessions, ExportRequestHandlers exportRequests, ExportStatusHandlers exportStatus)
    {
        ArgumentNullException.ThrowIfNull(sessions);
        ArgumentNullException.ThrowIfNull(exportRequests);
        ArgumentNullException.ThrowIfNull(exportStatus);
        Sessions = sessions;
        ExportRequests = exportRequests;
        ExportStatus = exportStatus;
    }

    /// <summary>Sessions, potential roles and identities, read from SailPoint.</summary>
    public SessionHandlers Sessions { get; }

    /// <summary>Starting exports of a potential role or of a whole session.</summary>
    public ExportRequestHandlers ExportRequests { get; }

    /// <summary>Following exports: jobs, session-wide batches, files.</summary>
    public ExportStatusHandlers ExportStatus { get; }
}
