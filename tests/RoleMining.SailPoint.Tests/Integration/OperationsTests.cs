using System.IO.Compression;
using RoleMining.Emulator;
using RoleMining.SailPoint.Models;
using RoleMining.SailPoint.Tests.Infrastructure;

namespace RoleMining.SailPoint.Tests.Integration;

/// <summary>Every operation of <see cref="IRoleMiningClient"/> against a running emulator, in every API version.</summary>
public sealed class OperationsTests
{
    public static TheoryData<RoleMiningApiVersion> Versions => new(Enum.GetValues<RoleMiningApiVersion>());

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task Sessions_are_listed_and_read(RoleMiningApiVersion version)
    {
        await using var server = await EmulatorClients.StartAsync();
        using var provider = EmulatorClients.Provider(server, options => options.ApiVersion = version);
        var client = provider.Client();

        var sessions = await client.GetSessionsAsync().ToListAsync();

        Assert.Equal(server.Tenant.Sessions.Select(session => session.Id).Order(), sessions.Select(session => session.Id!).Order());
        var expected = server.Tenant.Sessions[0];
        var session = await client.GetSessionAsync(expected.Id);
        Assert.Equal(expected.Id, session.Id);
        Assert.Equal(expected.Name, session.Name);
        Assert.Equal(expected.IdentityCount, session.IdentityCount);
        Assert.NotEqual(RoleMiningSessionState.Unknown, session.Status!.State);

        var status = await client.GetSessionStatusAsync(expected.Id);
        Assert.Equal(session.Status.State, status.State);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task Potential_roles_identities_and_entitlements_are_read(RoleMiningApiVersion version)
    {
        await using var server = await EmulatorClients.StartAsync();
        using var provider = EmulatorClients.Provider(server, options => options.ApiVersion = version);
        var client = provider.Client();
        var tenantSession = server.Tenant.Sessions.First(session => session.PotentialRoles.Count > 0);
        var tenantRole = tenantSession.PotentialRoles[0];

        var summaries = await client.GetPotentialRoleSummariesAsync(tenantSession.Id).ToListAsync();
        var summary = await client.GetPotentialRoleSummaryAsync(tenantSession.Id, tenantRole.Id);
        var role = await client.GetPotentialRoleAsync(tenantSession.Id, tenantRole.Id);
        var identities = await client.GetPotentialRoleIdentitiesAsync(tenantSession.Id, tenantRole.Id).ToListAsync();
        var entitlements = await client.GetEntitlementPopularitiesAsync(tenantSession.Id, tenantRole.Id).ToListAsync();

        Assert.Equal(tenantSession.PotentialRoles.Select(item => item.Id).Order(), summaries.Select(item => item.Id!).Order());
        Assert.Equal(tenantRole.Name, summary.Name);
        Assert.Equal(tenantRole.IdentityCount, summary.IdentityCount);
        Assert.Equal(tenantRole.Id, role.Id);
        Assert.Equal(tenantRole.EntitlementCount, role.EntitlementCount);
        Assert.Equal(server.Tenant.GetIdentities(tenantRole).Select(identity => identity.Id), identities.Select(identity => identity.Id));
        Assert.All(identities, identity => Assert.NotEmpty(identity.Attributes!));
        Assert.NotEmpty(entitlements);
        Assert.All(entitlements, entitlement => Assert.False(string.IsNullOrEmpty(entitlement.EntitlementRef?.Id)));
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task An_export_is_started_followed_and_downloaded(RoleMiningApiVersion version)
    {
        // The emulator's exports move from QUEUED through IN_PROGRESS on its clock, which the test moves between polls.
        var clock = FakeClock.Create();
        await using var server = await EmulatorClients.StartAsync(clock: clock);
        using var provider = EmulatorClients.Provider(server, options => options.ApiVersion = version);
        var client = provider.Client();
        var role = server.Tenant.PotentialRoles.First();

        var export = await client.StartExportAsync(role.Session.Id, role.Id, new PotentialRoleExportRequest { MinEntitlementPopularity = 0, IncludeCommonAccess = true });
        Assert.False(string.IsNullOrEmpty(export.ExportId));
        Assert.Contains(export.Status, new[] { PotentialRoleExportState.Queued, PotentialRoleExportState.InProgress });

        var status = export;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (status.Status is PotentialRoleExportState.Queued or PotentialRoleExportState.InProgress)
        {
            Assert.True(clock.GetUtcNow() - FakeClock.Start < TimeSpan.FromSeconds(30), "the export is still not done after 30 s");
            clock.Advance(TimeSpan.FromMilliseconds(100));
            status = await client.GetExportStatusAsync(role.Session.Id, role.Id, export.ExportId!, deadline.Token);
        }

        Assert.Equal(PotentialRoleExportState.Success, status.Status);
        await using var download = await client.DownloadExportAsync(role.Session.Id, role.Id, export.ExportId!);
        using var copy = new MemoryStream();
        await download.Content.CopyToAsync(copy);
        if (download.Length is { } length)
        {
            Assert.Equal(length, copy.Length);
        }

        copy.Position = 0;
        using var zip = new ZipArchive(copy, ZipArchiveMode.Read);
        Assert.NotEmpty(zip.Entries);
        Assert.Equal(1, server.Statistics.ExportCreationsFor(role.Session.Id, role.Id));
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task Single_pages_carry_the_total_when_asked(RoleMiningApiVersion version)
    {
        await using var server = await EmulatorClients.StartAsync();
        using var provider = EmulatorClients.Provider(server, options => options.ApiVersion = version);
        var client = provider.Client();
        var sessionCount = server.Tenant.Sessions.Count;
        var tenantSession = server.Tenant.Sessions.First(session => session.PotentialRoles.Count > 1);

        var firstSessions = await client.GetSessionsAsync(new CollectionQuery { IncludeTotal = true }).AsPages(pageSizeHint: 2).FirstAsync();
        var lastSessions = await client.GetSessionsAsync(new CollectionQuery { Offset = sessionCount - 1 }).AsPages(pageSizeHint: 2).FirstAsync();
        var roles = await client.GetPotentialRoleSummariesAsync(tenantSession.Id, new CollectionQuery { IncludeTotal = true }).AsPages(pageSizeHint: 1).FirstAsync();

        Assert.Equal(sessionCount, firstSessions.TotalCount);
        Assert.Equal(2, firstSessions.Values.Count);
        Assert.NotNull(firstSessions.ContinuationToken);
        Assert.Single(lastSessions.Values);
        Assert.Null(lastSessions.ContinuationToken);
        Assert.Null(lastSessions.TotalCount);
        Assert.Equal(tenantSession.PotentialRoles.Count, roles.TotalCount);
        Assert.Single(roles.Values);
    }

    [Fact]
    public async Task A_missing_session_is_a_not_found_with_the_service_error_details()
    {
        await using var server = await EmulatorClients.StartAsync();
        using var provider = EmulatorClients.Provider(server);

        var failure = await Assert.ThrowsAsync<SailPointException>(() => provider.Client().GetSessionAsync("00000000-0000-0000-0000-000000000000"));

        Assert.True(failure.IsNotFound);
        Assert.Equal("getRoleMiningSession", failure.OperationId);
        Assert.Equal("00000000-0000-0000-0000-000000000000", failure.ResourceId);
        Assert.False(string.IsNullOrEmpty(failure.DetailCode));
        Assert.False(string.IsNullOrEmpty(failure.TrackingId));
        Assert.NotEmpty(failure.Messages);
    }

    [Fact]
    public async Task Filters_and_sorters_reach_the_service()
    {
        await using var server = await EmulatorClients.StartAsync(options => options.Tenant.AdditionalPotentialRoleIdentityCounts = [2_000]);
        using var provider = EmulatorClients.Provider(server);
        var role = server.Tenant.PotentialRoles.Single(item => item.IsAdditional);

        var names = await provider.Client()
            .GetPotentialRoleIdentitiesAsync(role.Session.Id, role.Id, new CollectionQuery { Filters = "name sw \"A\"", Sorters = "-name", PageSize = 100 })
            .Select(identity => identity.Name!)
            .ToListAsync();

        var expected = server.Tenant.GetIdentities(role)
            .Select(identity => identity.Name)
            .Where(name => name.StartsWith('A') || name.StartsWith('a'))
            .ToList();
        Assert.NotEmpty(names);
        Assert.Equal(expected.Order(StringComparer.Ordinal), names.Order(StringComparer.Ordinal));
        Assert.Equal(names.OrderDescending(StringComparer.OrdinalIgnoreCase), names);
    }
}
