using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using RoleMining.Emulator;
using RoleMining.SailPoint.Models;

using RoleMining.Bench;

namespace RoleMining.SailPoint.Bench;

/// <summary>
/// Identities per second, CPU time and bytes allocated per identity while enumerating one large potential role from
/// an in-process emulator, for the client and for a plain HttpClient + System.Text.Json loop, plus the cost of the
/// emulator and the transport alone (pages fetched and drained, no JSON).
/// </summary>
internal static class IdentityEnumerationBenchmark
{
    private const int PageSize = 250;
    private static readonly JsonSerializerOptions WebJson = new(JsonSerializerDefaults.Web);

    /// <summary>Runs the benchmark and returns one real page (for <see cref="ClientOverheadBenchmark"/>).</summary>
    public static async Task<byte[]> RunAsync(int identityCount, int rounds)
    {
        var emulatorOptions = new EmulatorOptions { ClientId = "bench-enumeration", ClientSecret = "bench-secret" };
        emulatorOptions.RateLimit.Enabled = false;
        emulatorOptions.Tenant.AdditionalPotentialRoleIdentityCounts = [identityCount];
        await using var server = await EmulatorServer.StartAsync(emulatorOptions);
        var role = server.Tenant.PotentialRoles.Single(item => item.IsAdditional);
        using var provider = BenchClients.Provider(server.BaseAddress, emulatorOptions.ClientId, emulatorOptions.ClientSecret);
        var client = provider.GetRequiredService<IRoleMiningClient>();
        using var plain = await BenchClients.PlainAsync(server.BaseAddress, emulatorOptions.ClientId, emulatorOptions.ClientSecret);
        var path = $"v2024/role-mining-sessions/{role.Session.Id}/potential-roles/{role.Id}/identities";

        var candidates = new (string Name, Func<Task<int>> Run)[]
        {
            ("RoleMiningClient.GetPotentialRoleIdentitiesAsync", async () =>
            {
                var count = 0;
                await foreach (var identity in client.GetPotentialRoleIdentitiesAsync(role.Session.Id, role.Id))
                {
                    count += identity.Id is null ? 0 : 1;
                }

                return count;
            }),
            ("Plain loop: HttpClient GET + System.Text.Json", async () =>
            {
                var count = 0;
                for (var offset = 0; ; offset += PageSize)
                {
                    using var response = await plain.GetAsync($"{path}?offset={offset}&limit={PageSize}");
                    response.EnsureSuccessStatusCode();
                    var page = await response.Content.ReadFromJsonAsync<List<RoleMiningIdentity>>(WebJson) ?? [];
                    count += page.Count(identity => identity.Id is not null);
                    if (page.Count < PageSize)
                    {
                        return count;
                    }
                }
            }),
            ("Emulator + transport only (bytes drained)", async () =>
            {
                var buffer = new byte[64 * 1024];
                for (var offset = 0; offset <= identityCount; offset += PageSize)
                {
                    using var response = await plain.GetAsync($"{path}?offset={offset}&limit={PageSize}", HttpCompletionOption.ResponseHeadersRead);
                    response.EnsureSuccessStatusCode();
                    await using var body = await response.Content.ReadAsStreamAsync();
                    while (await body.ReadAsync(buffer) > 0)
                    {
                    }
                }

                // The baseline parses nothing, so it cannot count: the count check of InterleavedRounds holds for the
                // contenders above only. Each page answered 2xx (EnsureSuccessStatusCode).
                return identityCount;
            }),
        };

        Console.WriteLine($"== Enumerating a potential role of {identityCount:N0} identities ({(identityCount / PageSize) + 1} requests of limit {PageSize}) from an in-process emulator, {rounds} rounds ==");
        var (wall, cpu, allocated) = await InterleavedRounds.RunAsync(candidates, rounds, identityCount);

        var baseline = candidates[^1].Name;
        var baselineBytes = Machine.Median(allocated[baseline]);
        Console.WriteLine($"{"",-50} {"identities/s",13} {"(median)",10} {"CPU µs/id",10} {"alloc B/id",11} {"B/id minus",11}");
        Console.WriteLine($"{"",-50} {"(best)",13} {"",10} {"(median)",10} {"(median)",11} {"baseline",11}");
        foreach (var (name, _) in candidates)
        {
            var best = identityCount / wall[name].Min();
            var median = identityCount / Machine.Median(wall[name]);
            var cpuPerIdentity = Machine.Median(cpu[name]) * 1e6 / identityCount;
            var bytes = Machine.Median(allocated[name]);
            var own = name == baseline ? "-" : ((bytes - baselineBytes) / identityCount).ToString("N0", CultureInfo.InvariantCulture);
            Console.WriteLine($"{name,-50} {best,13:N0} {median,10:N0} {cpuPerIdentity,10:0.00} {bytes / identityCount,11:N0} {own,11}");
        }

        var clientName = candidates[0].Name;
        var plainName = candidates[1].Name;
        Console.WriteLine(
            $"Client vs plain loop: throughput {wall[plainName].Min() / wall[clientName].Min():0.00}x (best), {Machine.Median(wall[plainName]) / Machine.Median(wall[clientName]):0.00}x (median); " +
            $"CPU per identity {Machine.Median(cpu[clientName]) / Machine.Median(cpu[plainName]):0.00}x; allocation {Machine.Median(allocated[clientName]) / Machine.Median(allocated[plainName]):0.00}x. Target: throughput >= 1.00x.");
        Console.WriteLine("Every figure includes the in-process emulator's work (same process). 'B/id minus baseline' subtracts the emulator+");
        Console.WriteLine("transport-only run to estimate what the client code itself allocates per identity.");
        return await plain.GetByteArrayAsync($"{path}?offset=0&limit={PageSize}");
    }
}
