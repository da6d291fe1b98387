using RoleMining.Emulator.Tests.Infrastructure;

namespace RoleMining.Emulator.Tests;

public class ServerStartTests
{
    [Fact]
    public async Task Server_listens_on_loopback_and_lists_the_tenants_sessions()
    {
        await using var server = await EmulatorServer.StartAsync();
        Assert.Equal("127.0.0.1", server.BaseAddress.Host);
        Assert.EndsWith("/", server.BaseAddress.AbsoluteUri, StringComparison.Ordinal);

        using var client = await ApiClient.CreateAsync(server);
        var sessions = await client.GetJsonAsync("role-mining-sessions");

        Assert.Equal(server.Tenant.Sessions.Select(s => s.Id), sessions.EnumerateArray().Select(s => s.GetProperty("id").GetString()));
    }
}
