using RoleMining.Emulator;

namespace RoleMining.Cli.Tests.Infrastructure;

/// <summary>
/// An emulator for one test class, used as a configured tenant. Its rate limit is off (tests run many commands) and its
/// tenant has extra potential roles with 0, 251 and 600 identities for paging edges (250 is the page size).
/// </summary>
public sealed class EmulatorFixture : IAsyncLifetime
{
    public const int EmptyRoleSize = 0;
    public const int PageAndOneRoleSize = 251;
    public const int ThreePageRoleSize = 600;

    private EmulatorServer? _server;

    public EmulatorServer Server => _server ?? throw new InvalidOperationException("The emulator is not started.");

    public async Task InitializeAsync()
    {
        _server = await EmulatorServer.StartAsync(new EmulatorOptions
        {
            RateLimit = { Enabled = false },
            Tenant = { AdditionalPotentialRoleIdentityCounts = [EmptyRoleSize, PageAndOneRoleSize, ThreePageRoleSize] },
            Exports = { QueuedFor = TimeSpan.FromMilliseconds(100), InProgressFor = TimeSpan.FromMilliseconds(200) },
        });
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    /// <summary>The variables that point a child process at this emulator as its tenant, without client-side rate limit.</summary>
    public Dictionary<string, string> TenantVariables() => new()
    {
        ["SAIL_BASE_URL"] = Server.BaseAddress.ToString(),
        ["SAIL_CLIENT_ID"] = Server.Options.ClientId,
        ["SAIL_CLIENT_SECRET"] = Server.Options.ClientSecret,
        ["SailPoint__RateLimit__Enabled"] = "false",
    };

    /// <summary>A runner configured for this emulator, without client-side rate limit and with few, quick retries.</summary>
    public CliRunner CreateRunner(string? workingDirectory = null) =>
        new CliRunner(workingDirectory)
            .WithTenant(Server.BaseAddress, Server.Options.ClientId, Server.Options.ClientSecret)
            .With("SailPoint__RateLimit__Enabled", "false")
            .With("SailPoint__Retry__BaseDelay", "00:00:00.050");
}
