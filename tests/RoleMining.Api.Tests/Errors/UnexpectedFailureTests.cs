using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RoleMining.Api.Tests.Infrastructure;
using RoleMining.SailPoint;
using RoleMining.SailPoint.Models;

namespace RoleMining.Api.Tests.Errors;

/// <summary>An exception nobody foresaw is a logged 500 problem with a trace id: no stack trace, no message, no secret.</summary>
public sealed class UnexpectedFailureTests
{
    private const string Secret = "client-secret-7f3a9c";

    [Fact]
    public async Task Unexpected_exception_is_a_500_problem_without_details_and_is_logged()
    {
        await using var host = await ApiTestHost.StartAsync(services: services => services.AddSingleton<IRoleMiningClient>(provider => new BrokenClient(provider)));
        var session = host.SessionWithRoles();
        using var response = await host.Client.GetAsync($"api/sessions/{session.Id}");
        var problem = await HttpAssert.ProblemAsync(response, HttpStatusCode.InternalServerError);
        var body = problem.ToJsonString();
        Assert.DoesNotContain(Secret, body, StringComparison.Ordinal);
        Assert.DoesNotContain(nameof(BrokenClient), body, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", body, StringComparison.Ordinal);
        var traceId = (string)problem["traceId"]!;
        var logged = Assert.Single(host.Logs.GetSnapshot(), entry => entry.Level == LogLevel.Error && entry.Exception is InvalidOperationException);
        Assert.Contains(traceId, logged.Message, StringComparison.Ordinal);
    }

    /// <summary>The real client, except that reading a session fails with an exception that mentions a secret.</summary>
    private sealed class BrokenClient(IServiceProvider services) : IRoleMiningClient
    {
        private RoleMiningClient Inner => services.GetRequiredService<RoleMiningClient>();

        public Task<RoleMiningSession> GetSessionAsync(string sessionId, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("Something broke while using " + Secret);

        public Task<RoleMiningSessionStatus> GetSessionStatusAsync(string sessionId, CancellationToken cancellationToken = default) => Inner.GetSessionStatusAsync(sessionId, cancellationToken);

        public AsyncPageable<RoleMiningSession> GetSessionsAsync(CollectionQuery? query = null, CancellationToken cancellationToken = default) => Inner.GetSessionsAsync(query, cancellationToken);

        public AsyncPageable<PotentialRoleSummary> GetPotentialRoleSummariesAsync(string sessionId, CollectionQuery? query = null, CancellationToken cancellationToken = default) => Inner.GetPotentialRoleSummariesAsync(sessionId, query, cancellationToken);

        public Task<PotentialRoleSummary> GetPotentialRoleSummaryAsync(string sessionId, string potentialRoleId, CancellationToken cancellationToken = default) => Inner.GetPotentialRoleSummaryAsync(sessionId, potentialRoleId, cancellationToken);

        public Task<PotentialRole> GetPotentialRoleAsync(string sessionId, string potentialRoleId, CancellationToken cancellationToken = default) => Inner.GetPotentialRoleAsync(sessionId, potentialRoleId, cancellationToken);

        public AsyncPageable<RoleMiningIdentity> GetPotentialRoleIdentitiesAsync(string sessionId, string potentialRoleId, CollectionQuery? query = null, CancellationToken cancellationToken = default) => Inner.GetPotentialRoleIdentitiesAsync(sessionId, potentialRoleId, query, cancellationToken);

        public AsyncPageable<RoleMiningEntitlement> GetEntitlementPopularitiesAsync(string sessionId, string potentialRoleId, CollectionQuery? query = null, CancellationToken cancellationToken = default) => Inner.GetEntitlementPopularitiesAsync(sessionId, potentialRoleId, query, cancellationToken);

        public Task<PotentialRoleExport> StartExportAsync(string sessionId, string potentialRoleId, PotentialRoleExportRequest request, CancellationToken cancellationToken = default) => Inner.StartExportAsync(sessionId, potentialRoleId, request, cancellationToken);

        public Task<PotentialRoleExport> GetExportStatusAsync(string sessionId, string potentialRoleId, string exportId, CancellationToken cancellationToken = default) => Inner.GetExportStatusAsync(sessionId, potentialRoleId, exportId, cancellationToken);

        public Task<ExportDownload> DownloadExportAsync(string sessionId, string potentialRoleId, string exportId, CancellationToken cancellationToken = default) => Inner.DownloadExportAsync(sessionId, potentialRoleId, exportId, cancellationToken);
    }
}
