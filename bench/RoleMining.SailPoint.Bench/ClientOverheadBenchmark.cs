using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using RoleMining.SailPoint.Models;

using RoleMining.Bench;

namespace RoleMining.SailPoint.Bench;

/// <summary>
/// The client's own cost, apart from the emulator and the network: both the client and the plain loop read the same
/// canned page (a real emulator page) from an in-memory handler. CPU time is reported because wall time on a
/// shared machine mostly measures the other processes.
/// </summary>
internal static class ClientOverheadBenchmark
{
    private const int PageSize = 250;
    private static readonly JsonSerializerOptions WebJson = new(JsonSerializerDefaults.Web);

    public static async Task RunAsync(byte[] cannedPage, int identityCount, int rounds)
    {
        var handler = new CannedHandler(cannedPage, identityCount / PageSize);
        var options = new RoleMiningClientOptions { BaseUrl = new Uri("https://bench.api.identitynow.com"), ClientId = "bench-canned", ClientSecret = "bench-secret" };
        options.RateLimit.Enabled = false;
        using var client = RoleMiningClient.Create(options, handler);
        using var plain = new HttpClient(handler, disposeHandler: false) { BaseAddress = options.BaseUrl };
        plain.DefaultRequestHeaders.Authorization = new("Bearer", "canned");

        var candidates = new (string Name, Func<Task<int>> Run)[]
        {
            ("RoleMiningClient.GetPotentialRoleIdentitiesAsync", async () =>
            {
                var count = 0;
                await foreach (var identity in client.GetPotentialRoleIdentitiesAsync("session", "role"))
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
                    using var response = await plain.GetAsync($"v2024/role-mining-sessions/session/potential-roles/role/identities?offset={offset}&limit={PageSize}");
                    response.EnsureSuccessStatusCode();
                    var page = await response.Content.ReadFromJsonAsync<List<RoleMiningIdentity>>(WebJson) ?? [];
                    count += page.Count(identity => identity.Id is not null);
                    if (page.Count < PageSize)
                    {
                        return count;
                    }
                }
            }),
        };

        Console.WriteLine($"== Client-only cost: {identityCount:N0} identities from canned pages (in-memory handler, no emulator, no network), {rounds} rounds ==");
        var (wall, cpu, allocated) = await InterleavedRounds.RunAsync(candidates, rounds, identityCount);

        Console.WriteLine($"{"",-50} {"identities/s",13} {"CPU µs/id",10} {"alloc B/id",11}");
        Console.WriteLine($"{"",-50} {"(best)",13} {"(median)",10} {"(median)",11}");
        foreach (var (name, _) in candidates)
        {
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{name,-50} {identityCount / wall[name].Min(),13:N0} {Machine.Median(cpu[name]) * 1e6 / identityCount,10:0.00} {Machine.Median(allocated[name]) / identityCount,11:N0}"));
        }

        var clientName = candidates[0].Name;
        var plainName = candidates[1].Name;
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"Client vs plain loop: throughput {wall[plainName].Min() / wall[clientName].Min():0.00}x (best), CPU per identity {Machine.Median(cpu[clientName]) / Machine.Median(cpu[plainName]):0.00}x, allocation {Machine.Median(allocated[clientName]) / Machine.Median(allocated[plainName]):0.00}x."));
    }

    /// <summary>Answers the token request and every identity page from memory.</summary>
    private sealed class CannedHandler(byte[] page, int fullPages) : HttpMessageHandler
    {
        private static readonly byte[] Token = """{"access_token":"canned","token_type":"bearer","expires_in":3600}"""u8.ToArray();
        private static readonly byte[] Empty = "[]"u8.ToArray();

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var uri = request.RequestUri!;
            byte[] body;
            if (uri.AbsolutePath.EndsWith("/oauth/token", StringComparison.Ordinal))
            {
                body = Token;
            }
            else
            {
                var query = uri.Query.AsSpan();
                var start = query.IndexOf("offset=") + "offset=".Length;
                var end = query[start..].IndexOf('&');
                var offset = int.Parse(end < 0 ? query[start..] : query.Slice(start, end), CultureInfo.InvariantCulture);
                body = offset / PageSize < fullPages ? page : Empty;
            }

            var content = new ByteArrayContent(body);
            content.Headers.ContentType = new("application/json");
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = content, RequestMessage = request });
        }
    }
}
