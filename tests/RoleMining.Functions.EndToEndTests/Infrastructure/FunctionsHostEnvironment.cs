using RoleMining.Emulator;
using RoleMining.Functions.Configuration;
using RoleMining.Testing.Azurite;
using RoleMining.Testing.FunctionsHost;
using RoleMining.Testing.Identity;

namespace RoleMining.Functions.EndToEndTests.Infrastructure;

/// <summary>
/// The published app under a real Functions host, with its own Azurite and an ISC emulator, configured only through app
/// settings as in Azure. Started once for the tests that share it; nothing is started on a machine without a host (those
/// tests are skipped and say why).
/// </summary>
public sealed class FunctionsHostEnvironment : IAsyncLifetime
{
    /// <summary>The audience of the app's Entra ID tokens.</summary>
    public const string Audience = "api://rolemining-functions-e2e";

    /// <summary>The client id of the Logic App's managed identity stand-in.</summary>
    public const string LogicAppClientId = "logic-app-managed-identity";

    /// <summary>Its secret at the local token issuer.</summary>
    public const string LogicAppSecret = "logic-app-secret";

    /// <summary>The API key the app accepts (its SHA-256 is in the app settings; the host's own keys are not accepted).</summary>
    public static readonly string ApiKey = "e2e-key-" + Guid.NewGuid().ToString("N");

    private AzuriteServer? _azurite;
    private LocalTokenIssuer? _issuer;
    private EmulatorServer? _emulator;
    private FunctionsHostServer? _host;

    public AzuriteServer Azurite => _azurite ?? throw NotStarted();

    public EmulatorServer Emulator => _emulator ?? throw NotStarted();

    public FunctionsHostServer Host => _host ?? throw NotStarted();

    /// <summary>The Entra ID stand-in whose tokens the app accepts.</summary>
    public LocalTokenIssuer Issuer => _issuer ?? throw NotStarted();

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
        _issuer = await LocalTokenIssuer.StartAsync();
        _issuer.AddClient(LogicAppClientId, LogicAppSecret);

        var app = await publishing;
        var settings = AppSettings(_azurite, _emulator);
        settings["RoleMining__Sweep__SessionIds"] = SweepSessionId;
        settings["RoleMining__Api__ExportRetryAfter"] = "00:00:01";
        // Entra ID tokens from the local issuer, for the callers that authenticate like a Logic App.
        settings["RoleMining__Api__Authentication__Entra__Authority"] = _issuer.Authority;
        settings["RoleMining__Api__Authentication__Entra__Audiences"] = Audience;
        settings["RoleMining__Api__Authentication__Entra__AllowedClientApplications"] = LogicAppClientId;
        settings["Exports__Polling__InitialDelay"] = "00:00:00.500";
        settings["Exports__Polling__MaxDelay"] = "00:00:02";
        // Queue triggers look for new messages every second instead of backing off to host.json's 10 s.
        settings["AzureFunctionsJobHost__extensions__queues__maxPollingInterval"] = "00:00:01";
        _host = await FunctionsHostServer.StartAsync(location, app.Directory, settings);
    }

    /// <summary>
    /// The app settings every host of these tests gets, as Azure would set them: the storage connection, the emulator as
    /// the SailPoint tenant, a sweep schedule that is never due while tests run (the sweep is started through the admin
    /// endpoint), and the resume timer on its default schedule.
    /// </summary>
    public static Dictionary<string, string?> AppSettings(AzuriteServer azurite, EmulatorServer emulator)
    {
        ArgumentNullException.ThrowIfNull(azurite);
        ArgumentNullException.ThrowIfNull(emulator);
        // The sweep is triggered through the admin endpoint; the resume timer runs on its default schedule.
        return FunctionsAppSettings.Create(azurite.ConnectionString, emulator.BaseAddress, emulator.Options.ClientId, emulator.Options.ClientSecret, FunctionsSettings.DefaultResumeSchedule, "EndToEndTests", ApiKey);
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

        if (_issuer is not null)
        {
            await _issuer.DisposeAsync();
        }

        if (_azurite is not null)
        {
            await _azurite.DisposeAsync();
        }
    }

    private static InvalidOperationException NotStarted() => new("The Functions host environment was not started (no host on this machine).");
}
