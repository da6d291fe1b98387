using RoleMining.SailPoint.Tests.Infrastructure;

namespace RoleMining.SailPoint.Tests.Integration;

/// <summary>Paging through potential roles of exactly 0, 1, 250, 251 and 100,000 identities.</summary>
public sealed class PagingIntegrationTests
{
    [Theory]
    [InlineData(0, false)]
    [InlineData(1, false)]
    [InlineData(250, false)]
    [InlineData(251, false)]
    [InlineData(250, true)]
    [InlineData(500, true)]
    public async Task Every_identity_is_returned_once(int identityCount, bool badRequestAtEnd)
    {
        await using var server = await EmulatorClients.StartAsync(options =>
        {
            options.Tenant.AdditionalPotentialRoleIdentityCounts = [identityCount];
            options.Faults.Default.BadRequestForOffsetAtEnd = badRequestAtEnd;
        });
        using var provider = EmulatorClients.Provider(server);
        var role = server.Tenant.PotentialRoles.Single(item => item.IsAdditional);

        var ids = await provider.Client().GetPotentialRoleIdentitiesAsync(role.Session.Id, role.Id).Select(identity => identity.Id!).ToListAsync();

        Assert.Equal(server.Tenant.GetIdentities(role).Select(identity => identity.Id), ids);
        Assert.Equal(identityCount, ids.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public async Task One_hundred_thousand_identities_are_returned_without_a_cap()
    {
        await using var server = await EmulatorClients.StartAsync(options => options.Tenant.AdditionalPotentialRoleIdentityCounts = [100_000]);
        using var provider = EmulatorClients.Provider(server);
        var role = server.Tenant.PotentialRoles.Single(item => item.IsAdditional);
        var seen = new HashSet<string>(StringComparer.Ordinal);

        await foreach (var identity in provider.Client().GetPotentialRoleIdentitiesAsync(role.Session.Id, role.Id, new CollectionQuery { IncludeTotal = true }))
        {
            Assert.True(seen.Add(identity.Id!), $"duplicate {identity.Id}");
        }

        Assert.Equal(100_000, seen.Count);
        Assert.Equal(400, server.Statistics.RequestsFor("getIdentitiesPotentialRole"));
    }

    [Fact]
    public async Task Cancelling_mid_enumeration_stops_promptly()
    {
        await using var server = await EmulatorClients.StartAsync(options => options.Tenant.AdditionalPotentialRoleIdentityCounts = [100_000]);
        using var provider = EmulatorClients.Provider(server);
        var role = server.Tenant.PotentialRoles.Single(item => item.IsAdditional);
        using var cancellation = new CancellationTokenSource();
        var seen = 0;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var identity in provider.Client().GetPotentialRoleIdentitiesAsync(role.Session.Id, role.Id, cancellationToken: cancellation.Token))
            {
                if (++seen == 1_000)
                {
                    await cancellation.CancelAsync();
                }
            }
        });

        Assert.Equal(1_000, seen);
                Assert.Equal(4, server.Statistics.RequestsFor("getIdentitiesPotentialRole"));
    }
}
