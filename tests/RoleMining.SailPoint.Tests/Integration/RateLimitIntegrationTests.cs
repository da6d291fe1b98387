using Microsoft.Extensions.DependencyInjection;
using RoleMining.Emulator;
using RoleMining.SailPoint.Tests.Infrastructure;
using RoleMining.SailPoint.Tests.RateLimiting;
using RoleMining.Testing.RateLimiting;

namespace RoleMining.SailPoint.Tests.Integration;

public sealed class RateLimitIntegrationTests
{
    /// <summary>How far the clock moves while the clients are at rest: the lateness of a grant on the fake clock.</summary>
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(10);

    /// <summary>The step with a shared budget, whose clients need a moment of real time at each step (leases are renewed
    /// on the thread pool).</summary>
    private static readonly TimeSpan SharedStep = TimeSpan.FromMilliseconds(25);

    /// <summary>Fake time a burst may take before the test fails (about 12 s of it are needed).</summary>
    private static readonly TimeSpan FakeLimit = TimeSpan.FromSeconds(50);

    // Both sides scaled from ISC's 100 per 10 s to 50 per 1 s, and on one fake clock that moves only while the clients
    // are at rest (RateLimiterProbe): a request reaches the emulator at the fake time of its permit, so the windows are
    // counted exactly and no test waits for them. The client is told the server's true limit and keeps the jitter
    // margin it needed on the real clock (30 % of the short window; 2.5 % of ISC's window by default). No retries: a
    // single 429 fails the test.
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
        var clock = FakeClock.Create();
        var probe = new RateLimiterProbe();
        await using var server = await EmulatorClients.StartAsync(options => Server(options, mode), clock);
        using var provider = EmulatorClients.Provider(server, Client, services: probe.Attach, clock: clock);
        var client = provider.Client();
        var sessionId = server.Tenant.Sessions[0].Id;

        var calls = Enumerable.Range(0, 500).Select(_ => client.GetSessionStatusAsync(sessionId)).ToList();
        await RateLimiterProbe.DriveAsync(clock, calls, [probe], Step, FakeLimit);
        var statuses = await Task.WhenAll(calls);

        Assert.Equal(500, statuses.Length);
        Assert.Equal(500, server.Statistics.RequestsFor("getRoleMiningSessionStatus"));
        Assert.Equal(0, server.Statistics.RateLimitedResponses);

        // The client used the budget: some window held the whole limit (a paced client never reaches it).
        Assert.Equal(50, server.Statistics.PeakRequestsPerWindow);
    }

    [Fact]
    public async Task Every_client_of_one_container_draws_on_one_budget()
    {
        var clock = FakeClock.Create();
        var probe = new RateLimiterProbe();
        await using var server = await EmulatorClients.StartAsync(options => Server(options, EmulatorRateLimitMode.SlidingWindow), clock);
        using var provider = EmulatorClients.Provider(server, Client, services: probe.Attach, clock: clock);
        var sessionId = server.Tenant.Sessions[0].Id;

        // Resolved separately, as two services of a host would; one singleton limiter behind both.
        var first = provider.GetRequiredService<IRoleMiningClient>();
        var second = provider.GetRequiredService<RoleMiningClient>();
        var calls = Enumerable.Range(0, 200).Select(index => (index % 2 == 0 ? first : second).GetSessionStatusAsync(sessionId)).ToList();
        await RateLimiterProbe.DriveAsync(clock, calls, [probe], Step, FakeLimit);
        await Task.WhenAll(calls);

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
        // spread between a permit and its request's arrival: half the (scaled) window, as it needed on the real clock
        // with both "processes" on one loaded thread pool; in Azure, 250 ms of a 10 s window. On the fake clock that
        // spread is at most a step (a permit granted while the clock moves), so what this shows is the sharing; that
        // the margin widens every window is checked on the limiter's own grants (SharedRateLimiterTests).
        var clock = FakeClock.Create();
        var probes = new[] { new RateLimiterProbe(), new RateLimiterProbe() };
        await using var server = await EmulatorClients.StartAsync(options => Server(options, mode), clock);
        var store = new CountingRateBudgetStore(new InMemoryRateBudgetStore());
        void Shared(IServiceCollection services, RateLimiterProbe probe)
        {
            services.AddSingleton<ISailPointRateBudgetStore>(store);
            probe.Attach(services);
        }

        void SharedClient(RoleMiningClientOptions options)
        {
            Client(options);
            options.RateLimit.JitterMargin = TimeSpan.FromMilliseconds(500);
            options.RateLimit.LeaseRenewal = TimeSpan.FromMilliseconds(400);
        }

        using var first = EmulatorClients.Provider(server, SharedClient, services: services => Shared(services, probes[0]), clock: clock);
        using var second = EmulatorClients.Provider(server, SharedClient, services: services => Shared(services, probes[1]), clock: clock);
        var sessionId = server.Tenant.Sessions[0].Id;

        var calls = Enumerable.Range(0, 300).Select(index => (index % 2 == 0 ? first : second).Client().GetSessionStatusAsync(sessionId)).ToList();
        await RateLimiterProbe.DriveAsync(clock, calls, probes, SharedStep, FakeLimit, settle: TimeSpan.FromMilliseconds(1));
        await Task.WhenAll(calls);

        Assert.Equal(0, server.Statistics.RateLimitedResponses);
        Assert.True(store.Writes - store.Conflicts < 300 / 2, $"{store.Writes} store writes ({store.Conflicts} conflicts) for 300 requests");
    }

    [Fact]
    public async Task Without_a_shared_store_two_processes_each_take_the_whole_budget()
    {
        // The contrast that makes the shared store necessary: the emulator refuses what the second process adds.
        var clock = FakeClock.Create();
        var probes = new[] { new RateLimiterProbe(), new RateLimiterProbe() };
        await using var server = await EmulatorClients.StartAsync(options => Server(options, EmulatorRateLimitMode.SlidingWindow), clock);
        using var first = EmulatorClients.Provider(server, Client, services: probes[0].Attach, clock: clock);
        using var second = EmulatorClients.Provider(server, Client, services: probes[1].Attach, clock: clock);
        var sessionId = server.Tenant.Sessions[0].Id;

        var calls = Enumerable.Range(0, 200).Select(async index =>
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
        }).ToList();
        await RateLimiterProbe.DriveAsync(clock, calls, probes, Step, FakeLimit);
        var outcomes = await Task.WhenAll(calls);

        Assert.Contains(false, outcomes);
        Assert.True(server.Statistics.RateLimitedResponses > 0);
    }
}
