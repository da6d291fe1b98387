using RoleMining.Emulator.Api.Endpoints;
using RoleMining.Emulator.Auth;

namespace RoleMining.Emulator.Api;

/// <summary>The emulated routes: each operation under every base path (<c>/v2024</c>, <c>/v2025</c>, <c>/v2026</c>,
/// <c>/beta</c>, and the per-resource <c>/role-mining-sessions/v1</c>, <c>/role-mining-potential-roles/v1</c>).</summary>
internal static class EndpointRegistration
{
    private const string Sessions = "role-mining-sessions";
    private const string PotentialRole = Sessions + "/{sessionId}/potential-roles/{potentialRoleId}";

    private static readonly OperationRoute[] Routes =
    [
        new("GET", Sessions, OperationIds.GetRoleMiningSessions, SessionEndpoints.List),
        new("GET", Sessions + "/{sessionId}", OperationIds.GetRoleMiningSession, SessionEndpoints.Get),
        new("GET", Sessions + "/{sessionId}/status", OperationIds.GetRoleMiningSessionStatus, SessionEndpoints.Status),
        new("GET", Sessions + "/{sessionId}/potential-role-summaries", OperationIds.GetPotentialRoleSummaries, PotentialRoleEndpoints.ListSummaries),
        new("GET", Sessions + "/{sessionId}/potential-role-summaries/{potentialRoleId}", OperationIds.GetPotentialRole, PotentialRoleEndpoints.Get),
        new("GET", PotentialRole + "/entitlement-popularities", OperationIds.GetEntitlementsPotentialRole, EntitlementEndpoints.List),
        new("GET", PotentialRole + "/identities", OperationIds.GetIdentitiesPotentialRole, IdentityEndpoints.List),
        new("GET", PotentialRole + "/export", OperationIds.ExportRoleMiningPotentialRole, ExportEndpoints.Export, IsZipDownload: true),
        new("POST", PotentialRole + "/export-async", OperationIds.ExportRoleMiningPotentialRoleAsync, ExportEndpoints.Create),
        new("GET", PotentialRole + "/export-async/{exportId}", OperationIds.ExportRoleMiningPotentialRoleStatus, ExportEndpoints.Status),
        new("GET", PotentialRole + "/export-async/{exportId}/download", OperationIds.DownloadRoleMiningPotentialRoleZip, ExportEndpoints.Download, IsZipDownload: true),
        new("GET", "role-mining-potential-roles/{potentialRoleId}", OperationIds.GetRoleMiningPotentialRole, PotentialRoleEndpoints.Get),
    ];

    public static void Map(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/oauth/token", TokenEndpoint.HandleAsync)
            .WithMetadata(new EmulatedOperation(OperationIds.Token, OperationIds.Token, "", RequiresExperimentalHeader: false, Anonymous: true));

        foreach (var version in ApiVersions.All)
        {
            foreach (var route in Routes)
            {
                var operation = new EmulatedOperation(
                    OperationIds.ForVersion(route.OperationId, version),
                    route.OperationId,
                    version,
                    ApiVersions.RequiresExperimentalHeader(version),
                    IsZipDownload: route.IsZipDownload);
                endpoints.MapMethods("/" + ApiVersions.PathFor(version, route.Path), [route.Method], route.Handler)
                    .WithMetadata(operation)
                    .WithDisplayName($"{operation.OperationId} ({version})");
            }
        }
    }

    private sealed record OperationRoute(string Method, string Path, string OperationId, RequestDelegate Handler, bool IsZipDownload = false);
}
