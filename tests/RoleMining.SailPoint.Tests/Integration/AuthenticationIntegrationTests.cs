using Microsoft.Extensions.DependencyInjection;
using RoleMining.SailPoint.Tests.Infrastructure;

namespace RoleMining.SailPoint.Tests.Integration;

public sealed class AuthenticationIntegrationTests
{
    [Fact]
    public async Task Short_lived_tokens_are_renewed_before_they_expire()
    {
        // The emulator and the client on one fake clock: the emulator expires tokens on it, the client renews on it.
        var clock = FakeClock.Create();
        await using var server = await EmulatorClients.StartAsync(options => options.TokenLifetime = TimeSpan.FromSeconds(4), clock);
        using var provider = EmulatorClients.Provider(server, clock: clock);
        var client = provider.Client();
        var session = server.Tenant.Sessions[0];

        // Calls spread over about 2.5 token lifetimes; the client renews at half-life (its 60 s margin is capped at half
        // of a 4 s lifetime), so a token in use always has about 2 s left: no request meets an expired token.
        for (var i = 0; i < 20; i++)
        {
            await client.GetSessionStatusAsync(session.Id);
            clock.Advance(TimeSpan.FromMilliseconds(500));
        }

        Assert.InRange(server.Statistics.TokensIssued, 3, 20);
        Assert.Equal(0, server.Statistics.ResponsesWith(401));
    }

    [Fact]
    public async Task Revoking_every_token_mid_enumeration_costs_one_renewal_and_the_enumeration_completes()
    {
        await using var server = await EmulatorClients.StartAsync(options => options.Tenant.AdditionalPotentialRoleIdentityCounts = [2_000]);
        using var provider = EmulatorClients.Provider(server);
        var role = server.Tenant.PotentialRoles.Single(item => item.IsAdditional);
        var count = 0;

        await foreach (var identity in provider.Client().GetPotentialRoleIdentitiesAsync(role.Session.Id, role.Id))
        {
            if (++count == 600)
            {
                server.RevokeAllTokens();
            }
        }

        Assert.Equal(2_000, count);
        Assert.Equal(2, server.Statistics.TokensIssued);
        Assert.Equal(1, server.Statistics.ResponsesWith(401));
    }

    [Fact]
    public async Task Concurrent_callers_after_a_revocation_share_one_renewal()
    {
        await using var server = await EmulatorClients.StartAsync();
        var tokenRequests = new ResponseRecorder();
        using var provider = EmulatorClients.Provider(server, services: services =>
            services.AddHttpClient(SailPointHttpClientNames.Token).AddHttpMessageHandler(() => tokenRequests));
        var client = provider.Client();
        var session = server.Tenant.Sessions[0];
        await client.GetSessionStatusAsync(session.Id);

        server.RevokeAllTokens();
        await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => client.GetSessionStatusAsync(session.Id)));

        Assert.Equal(2, server.Statistics.TokensIssued);
        Assert.Equal([200, 200], tokenRequests.Responses.Select(response => response.Status));
    }

    [Fact]
    public async Task A_wrong_secret_fails_as_authentication()
    {
        await using var server = await EmulatorClients.StartAsync();
        using var provider = EmulatorClients.Provider(server, options => options.ClientSecret = "not-the-secret");

        var failure = await Assert.ThrowsAsync<SailPointException>(() => provider.Client().GetSessionStatusAsync(server.Tenant.Sessions[0].Id));

        Assert.Equal(SailPointErrorKind.Authentication, failure.Kind);
        Assert.DoesNotContain("not-the-secret", failure.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(server.Options.ClientSecret, failure.ToString(), StringComparison.Ordinal);
    }
}
