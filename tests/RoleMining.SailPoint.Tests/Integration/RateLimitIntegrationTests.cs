using RoleMining.SailPoint.Tests.Infrastructure;

namespace RoleMining.SailPoint.Tests.Integration;

public sealed class RateLimitIntegrationTests
{
    [Fact]
    public async Task A_burst_ten_times_the_service_limit_gets_no_429()
    {
        // Both sides scaled from ISC's 100 per 10 s to 50 per 1 s, so the test takes ~13 s instead of ~55 s.
        // The client keeps a margin (40 of 50) for the jitter of a loaded machine between sending and arrival.
        await using var server = await EmulatorClients.StartAsync(options =>
        {
            options.RateLimit.Enabled = true;
            options.RateLimit.PermitLimit = 50;
            options.RateLimit.Window = TimeSpan.FromSeconds(1);
        });
        using var provider = EmulatorClients.Provider(server, options =>
        {
            options.RateLimit.Enabled = true;
            options.RateLimit.PermitLimit = 40;
            options.RateLimit.Window = TimeSpan.FromSeconds(1);
            options.Retry.MaxRetryAttempts = 0;
        });
        var client = provider.Client();
        var sessionId = server.Tenant.Sessions[0].Id;

        var statuses = await Task.WhenAll(Enumerable.Range(0, 500).Select(_ => client.GetSessionStatusAsync(sessionId)));

        Assert.Equal(500, statuses.Length);
        Assert.Equal(500, server.Statistics.RequestsFor("getRoleMiningSessionStatus"));
        Assert.Equal(0, server.Statistics.RateLimitedResponses);
    }

    [Fact]
    public async Task Two_clients_of_the_same_tenant_and_client_id_share_the_budget()
    {
        await using var server = await EmulatorClients.StartAsync(options =>
        {
            options.RateLimit.Enabled = true;
            options.RateLimit.PermitLimit = 50;
            options.RateLimit.Window = TimeSpan.FromSeconds(1);
        });
        void Limit(SailPointOptions options)
        {
            options.RateLimit.Enabled = true;
            options.RateLimit.PermitLimit = 40;
            options.RateLimit.Window = TimeSpan.FromSeconds(1);
            options.Retry.MaxRetryAttempts = 0;
        }

        using var first = EmulatorClients.Provider(server, Limit);
        using var second = EmulatorClients.Provider(server, Limit);
        var sessionId = server.Tenant.Sessions[0].Id;

        await Task.WhenAll(Enumerable.Range(0, 200).Select(index => (index % 2 == 0 ? first : second).Client().GetSessionStatusAsync(sessionId)));

        Assert.Equal(0, server.Statistics.RateLimitedResponses);
    }
}
