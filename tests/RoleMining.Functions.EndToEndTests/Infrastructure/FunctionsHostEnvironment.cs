using RoleMining.Emulator;
using RoleMining.Testing.Azurite;
using RoleMining.Testing.FunctionsHost;

namespace RoleMining.Functions.EndToEndTests.Infrastructure;

/// <summary>
/// The published app under a real Functions host, with its own Azurite and an ISC emulator, configured only through app
/// settings as in Azure. Started once for the tests that share it; nothing is started on a machine without a host (those
/// tests are skipped and say why).
/// </summary>
public sealed class FunctionsHostEnvironment : IAsyncLifetime
{
    private AzuriteServer? _azurite;
    private EmulatorServer? _emulator;
    private FunctionsHostServer? _host;

    public AzuriteServer Azurite => _azurite ?? throw NotStarted();

    public EmulatorServer Emulator => _emulator ?? throw NotStarted();

    public FunctionsHostServer Host => _host ?? throw NotStarted();

    /// <summary>The complete session the sweep is configured to export (the one with the fewest potential roles).</summary>
    public string SweepSessionId => CompleteSessions[0].Id;

    /// <summary>Another complete session, for the HTTP-started exports (so that the sweep's work is its own).</summary>
    public TenantSession HttpSession => CompleteSessions[1];

    private List<TenantSession> CompleteSessions => Emulator.Tenant.Sessions
        .Where(session => session.State == "POTENTIAL_ROLES_CREATED" && session.PotentialRoles.Count > 0)
        .OrderBy(session => session.PotentialRoles.Count)
        .ThenBy(session => session.Id, StringComparer.Ordinal)
        .ToList();

    public async Task InitializeAsync()
    {
        if (FunctionsHostLocator.Location is not { } location)
        {
            return;
        }

        var publishing = PublishedApp.GetAsync();
        _azurite = await AzuriteServer.StartAsync();
        var options = new EmulatorOptions { ClientId = "functions-e2e", ClientSecret = "functions-e2e-" + Guid.NewGuid().ToString("N") };
        options.Exports.QueuedFor = TimeSpan.FromMilliseconds(200);
        options.Exports.InProgressFor = TimeSpan.FromMilliseconds(500);
        _emulator = await EmulatorServer.StartAsync(options);

        var app = await publishing;
        _host = await FunctionsHostServer.StartAsync(location, app.Directory, new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = _azurite.ConnectionString,
            ["SailPoint__BaseUrl"] = _emulator.BaseAddress.ToString(),
            ["SailPoint__ClientId"] = options.ClientId,
            ["SailPoint__ClientSecret"] = options.ClientSecret,
            ["SailPoint__ApiVersion"] = "v2024",
            // Never due while the tests run: the sweep is triggered through the admin endpoint.
            ["RoleMining_Schedule"] = "0 0 0 1 1 *",
            ["RoleMining__Sweep__SessionIds"] = SweepSessionId,
            ["RoleMining__Api__ExportRetryAfter"] = "00:00:01",
            ["Exports__Polling__InitialDelay"] = "00:00:00.500",
            ["Exports__Polling__MaxDelay"] = "00:00:02",
            // Queue triggers look for new messages every second instead of backing off to host.json's 10 s.
            ["AzureFunctionsJobHost__extensions__queues__maxPollingInterval"] = "00:00:01",
        });
    }

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        if (_emulator is not null)
        {
            await _emulator.DisposeAsync();
        }

        if (_azurite is not null)
        {
            await _azurite.DisposeAsync();
        }
    }

    private static InvalidOperationException NotStarted() => new("The Functions host environment was not started (no host on this machine).");
}
