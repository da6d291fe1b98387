using Microsoft.Extensions.DependencyInjection;
using RoleMining.Emulator;
using RoleMining.SailPoint.Tests.Infrastructure;
using RoleMining.SailPoint.Tests.RateLimiting;
using RoleMining.Testing.RateLimiting;

namespace RoleMining.SailPoint.Tests.Integration;

public sealed class RateLimitIntegrationTests
{
    // Both sides scaled from ISC's 100 per 10 s to 50 per 1 s, so that a test takes seconds. The client is told the
    // server's true limit; its jitter margin (here 30 % of the short window, for a loaded test machine; 2.5 % of ISC's
    // window by default) is what keeps it clear of the server's count. No retries: a single 429 fails the test.
    private static void Server(EmulatorOptions options, EmulatorRateLimitMode mode)
    {
        options.RateLimit.Enabled = true;
        options.RateLimit.PermitLimit = 50;
        options.RateLimit.Window = TimeSpan.FromSeconds(1);
        options.RateLimit.Mode = mode;
    }

    private static void Client(RoleMiningClientOptions options)
    {
        options.RateLimit.Enabled = true;
        options.RateLimit.PermitLimit = 50;
        options.RateLimit.Window = TimeSpan.FromSeconds(1);
        options.RateLimit.JitterMargin = TimeSpan.FromMilliseconds(300);
        options.Retry.MaxRetryAttempts = 0;
    }

    [Theory]
    [InlineData(EmulatorRateLimitMode.FixedWindow)]
    [InlineData(EmulatorRateLimitMode.SlidingWindow)]
    public async Task A_burst_ten_times_the_service_limit_gets_no_429_from_either_kind_of_window(EmulatorRateLimitMode mode)
    {
        await using var server = await EmulatorClients.StartAsync(options => Server(options, mode));
        using var provider = EmulatorClients.Provider(server, Client);
        var client = provider.Client();
        var sessionId = server.Tenant.Sessions[0].Id;

        var statuses = await Task.WhenAll(Enumerable.Range(0, 500).Select(_ => client.GetSessionStatusAsync(sessionId)));

        Assert.Equal(500, statuses.Length);
        Assert.Equal(500, server.Statistics.RequestsFor("getRoleMiningSessionStatus"));
        Assert.Equal(0, server.Statistics.RateLimitedResponses);

        // The client used the budget: some window held the whole limit (a paced client never reaches it).
        Assert.Equal(50, server.Statistics.PeakRequestsPerWindow);
    }

    [Fact]
    public async Task Every_client_of_one_container_draws_on_one_budget()
    {
        await using var server = await EmulatorClients.StartAsync(options => Server(options, EmulatorRateLimitMode.SlidingWindow));
        using var provider = EmulatorClients.Provider(server, Client);
        var sessionId = server.Tenant.Sessions[0].Id;

        // Resolved separately, as two services of a host would; one singleton limiter behind both.
        var first = provider.GetRequiredService<IRoleMiningClient>();
        var second = provider.GetRequiredService<RoleMiningClient>();
        await Task.WhenAll(Enumerable.Range(0, 200).Select(index => (index % 2 == 0 ? first : second).GetSessionStatusAsync(sessionId)));

        Assert.Equal(0, server.Statistics.RateLimitedResponses);
    }

    [Theory]
    [InlineData(EmulatorRateLimitMode.FixedWindow)]
    [InlineData(EmulatorRateLimitMode.SlidingWindow)]
    public async Task Two_processes_sharing_a_budget_store_stay_within_the_limit_together(EmulatorRateLimitMode mode)
    {
        // Two containers stand for two instances of the Function App; the store is what they share (Azure Blob Storage
        // in the app: RoleMining.Functions.Tests runs the same against Azurite). Without it each would allow itself 50.
        // One process cannot see when another's requests arrive, so the shared budget relies on the jitter margin for the
        // spread between a permit and its request's arrival. Here both "processes" share one thread pool on a loaded
        // test machine, hence half the (scaled) window; in Azure, 250 ms of a 10 s window.
        await using var server = await EmulatorClients.StartAsync(options => Server(options, mode));
        var store = new CountingRateBudgetStore(new InMemoryRateBudgetStore());
        void Shared(IServiceCollection services) => services.AddSingleton<ISailPointRateBudgetStore>(store);
        void SharedClient(RoleMiningClientOptions options)
        {
            Client(options);
            options.RateLimit.JitterMargin = TimeSpan.FromMilliseconds(500);
            options.RateLimit.ClaimLifetime = TimeSpan.FromMilliseconds(100);
        }

        using var first = EmulatorClients.Provider(server, SharedClient, services: Shared);
        using var second = EmulatorClients.Provider(server, SharedClient, services: Shared);
        var sessionId = server.Tenant.Sessions[0].Id;

        await Task.WhenAll(Enumerable.Range(0, 300).Select(index => (index % 2 == 0 ? first : second).Client().GetSessionStatusAsync(sessionId)));

        Assert.Equal(0, server.Statistics.RateLimitedResponses);
        Assert.True(store.Writes - store.Conflicts < 300 / 2, $"{store.Writes} store writes ({store.Conflicts} conflicts) for 300 requests");
    }

    [Fact]
    public async Task Without_a_shared_store_two_processes_each_take_the_whole_budget()
    {
        // The contrast that makes the shared store necessary: the emulator refuses what the second process adds.
        await using var server = await EmulatorClients.StartAsync(options => Server(options, EmulatorRateLimitMode.SlidingWindow));
        using var first = EmulatorClients.Provider(server, Client);
        using var second = EmulatorClients.Provider(server, Client);
        var sessionId = server.Tenant.Sessions[0].Id;

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 200).Select(async index =>
        {
            try
            {
                await (index % 2 == 0 ? first : second).Client().GetSessionStatusAsync(sessionId);
                return true;
            }
            catch (SailPointException exception) when (exception.IsRateLimited)
            {
                return false;
            }
        }));

        Assert.Contains(false, outcomes);
        Assert.True(server.Statistics.RateLimitedResponses > 0);
    }
}
