using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RoleMining.Bench;
using RoleMining.Emulator;
using RoleMining.Exports;
using RoleMining.SailPoint;

namespace RoleMining.RateBudget.Bench;

/// <summary>
/// One process, the emulator with ISC's default limit (100 per 10 s) in the given window mode: (a) enumerating a
/// potential role of 30,000 identities (120 full pages and the empty one that ends it) and (b) exporting 200 potential
/// roles through the export workflow (start, poll, download each), once with the previous limiter and once with the
/// sliding log. Each run has an emulator of its own, so that no run starts in a window another one used.
/// </summary>
internal static class SingleProcessBenchmark
{
    private const int Identities = 30_000;
    private const string ClientId = "bench-rate-budget";
    private const string ClientSecret = "bench-rate-budget-secret";

    public static async Task<List<Row>> RunAsync(EmulatorRateLimitMode mode, int exportCount)
    {
        var rows = new List<Row>();
        foreach (var limiter in new[] { Limiter.Previous, Limiter.SlidingLog })
        {
            rows.Add(await EnumerateAsync(mode, limiter));
        }

        foreach (var limiter in new[] { Limiter.Previous, Limiter.SlidingLog })
        {
            rows.Add(await ExportAsync(mode, limiter, exportCount));
        }

        return rows;
    }

    private static async Task<Row> EnumerateAsync(EmulatorRateLimitMode mode, Limiter limiter)
    {
        var emulatorOptions = EmulatorOptions(mode);
        emulatorOptions.Tenant.AdditionalPotentialRoleIdentityCounts = [Identities];
        await using var server = await EmulatorServer.StartAsync(emulatorOptions);
        var role = server.Tenant.PotentialRoles.Single(item => item.IsAdditional);
        using var provider = Client(server.BaseAddress, limiter);
        var client = provider.GetRequiredService<IRoleMiningClient>();

        server.Statistics.Reset();
        var watch = Stopwatch.StartNew();
        var count = 0;
        await foreach (var identity in client.GetPotentialRoleIdentitiesAsync(role.Session.Id, role.Id))
        {
            count += identity.Id is null ? 0 : 1;
        }

        watch.Stop();
        if (count != Identities)
        {
            throw new InvalidOperationException($"Enumerated {count} identities, not {Identities}.");
        }

        return Row.From($"(a) {Identities:N0} identities, {mode}", limiter, watch.Elapsed, server);
    }

    private static async Task<Row> ExportAsync(EmulatorRateLimitMode mode, Limiter limiter, int exportCount)
    {
        var emulatorOptions = EmulatorOptions(mode);
        emulatorOptions.Tenant.AdditionalPotentialRoleIdentityCounts = Enumerable.Repeat(3, exportCount).ToList();
        emulatorOptions.Exports.QueuedFor = TimeSpan.FromMilliseconds(200);
        emulatorOptions.Exports.InProgressFor = TimeSpan.FromMilliseconds(300);
        await using var server = await EmulatorServer.StartAsync(emulatorOptions);
        var roles = server.Tenant.PotentialRoles.Where(role => role.IsAdditional).Select(role => (role.Session.Id, role.Id)).ToList();
        var directory = Directory.CreateTempSubdirectory("rolemining-rate-budget-bench-");
        try
        {
            var previous = limiter == Limiter.Previous ? PreviousLimiterHandler.Create() : null;
            await using var provider = BenchWorkflow.Provider(
                server.BaseAddress,
                ClientId,
                ClientSecret,
                directory.FullName,
                options =>
                {
                    options.Polling.InitialDelay = TimeSpan.FromSeconds(1);
                    options.Polling.MaxDelay = TimeSpan.FromSeconds(10);
                    options.Polling.TotalWait = TimeSpan.FromMinutes(10);
                },
                client => client.RateLimit.Enabled = previous is null,
                services =>
                {
                    if (previous is not null)
                    {
                        services.AddHttpClient(SailPointHttpClientNames.Api).AddHttpMessageHandler(() => new PreviousLimiterHandler(previous));
                    }
                });

            server.Statistics.Reset();
            var watch = Stopwatch.StartNew();
            var jobs = await BenchWorkflow.ExportAsync(provider, roles, CancellationToken.None);
            watch.Stop();
            previous?.Dispose();
            if (jobs.Count != exportCount)
            {
                throw new InvalidOperationException($"{jobs.Count} of {exportCount} exports succeeded.");
            }

            var concurrency = provider.GetRequiredService<IOptions<ExportWorkflowOptions>>().Value.MaxConcurrency;
            return Row.From($"(b) {exportCount} exports (concurrency {concurrency}), {mode}", limiter, watch.Elapsed, server);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static EmulatorOptions EmulatorOptions(EmulatorRateLimitMode mode)
    {
        var options = new EmulatorOptions { ClientId = ClientId, ClientSecret = ClientSecret };
        options.RateLimit.Mode = mode;
        return options;
    }

    private static ServiceProvider Client(Uri baseAddress, Limiter limiter)
    {
        var services = new ServiceCollection();
        services.AddSailPointRoleMining(options =>
        {
            options.BaseUrl = baseAddress;
            options.ClientId = ClientId;
            options.ClientSecret = ClientSecret;
            options.RateLimit.Enabled = limiter == Limiter.SlidingLog;
        });
        if (limiter == Limiter.Previous)
        {
            var previous = PreviousLimiterHandler.Create();
            services.AddSingleton(previous);
            services.AddHttpClient(SailPointHttpClientNames.Api).AddHttpMessageHandler(() => new PreviousLimiterHandler(previous));
        }

        return services.BuildServiceProvider();
    }

    internal enum Limiter
    {
        Previous,
        SlidingLog,
    }

    internal sealed record Row(string Workload, string Limiter, double WallSeconds, long Requests, long Refused, double BoundSeconds, int PeakPerWindow)
    {
        public static Row From(string workload, Limiter limiter, TimeSpan wall, EmulatorServer server)
        {
            var statistics = server.Statistics;
            var requests = statistics.TotalRequests - statistics.RequestsFor(OperationIds.Token);
            var limit = server.Options.RateLimit;
            var bound = RateBounds.NoRefusal(requests - statistics.RateLimitedResponses, limit.PermitLimit, limit.Window);
            var name = limiter == SingleProcessBenchmark.Limiter.Previous ? "previous (token bucket, 95/10 s)" : "sliding log (100/10 s)";
            return new Row(workload, name, wall.TotalSeconds, requests, statistics.RateLimitedResponses, bound.TotalSeconds, statistics.PeakRequestsPerWindow);
        }

        public string Format() => string.Create(
            CultureInfo.InvariantCulture,
            $"| {Workload,-46} | {Limiter,-34} | {WallSeconds,7:0.0} | {Requests,8} | {Refused,5} | {BoundSeconds,7:0.0} | {WallSeconds / Math.Max(BoundSeconds, 0.001),10:0.00} | {PeakPerWindow,11} |");

        public static string Header =>
            "| workload                                       | limiter                            | wall s  | requests | 429s  | bound s | wall/bound | peak in 10s |\n" +
            "|------------------------------------------------|------------------------------------|---------|----------|-------|---------|------------|-------------|";
    }
}
