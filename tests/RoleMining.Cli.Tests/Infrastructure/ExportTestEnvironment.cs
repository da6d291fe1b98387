using System.Text.Json;
using RoleMining.Emulator;

namespace RoleMining.Cli.Tests.Infrastructure;

/// <summary>
/// An emulator of its own for one export test (fault settings are live and per server), with a quick export clock, and
/// runners whose workflow polls quickly, so that an end-to-end export takes about a second.
/// </summary>
public sealed class ExportTestEnvironment : IAsyncDisposable
{
    private ExportTestEnvironment(EmulatorServer server)
    {
        Server = server;
    }

    public EmulatorServer Server { get; }

    public TemporaryDirectory Directory { get; } = new();

    public string OutDirectory => Directory.Combine("exports");

    public static async Task<ExportTestEnvironment> StartAsync(Action<EmulatorOptions>? configure = null)
    {
        var options = new EmulatorOptions
        {
            RateLimit = { Enabled = false },
            Exports = { QueuedFor = TimeSpan.FromMilliseconds(100), InProgressFor = TimeSpan.FromMilliseconds(200) },
        };
        configure?.Invoke(options);
        return new ExportTestEnvironment(await EmulatorServer.StartAsync(options));
    }

    public CliRunner CreateRunner() =>
        new CliRunner(Directory.Path)
            .WithTenant(Server.BaseAddress, Server.Options.ClientId, Server.Options.ClientSecret)
            .With("SailPoint__RateLimit__Enabled", "false")
            .With("SailPoint__Retry__BaseDelay", "00:00:00.050")
            .With("RoleMining__Exports__Polling__InitialDelay", "00:00:00.100")
            .With("RoleMining__Exports__Polling__MaxDelay", "00:00:00.400")
            .With("RoleMining__Exports__RetryBaseDelay", "00:00:00.100");

    /// <summary>The session with the most potential roles in state POTENTIAL_ROLES_CREATED.</summary>
    public TenantSession CompleteSession =>
        Server.Tenant.Sessions.Where(session => session.State == "POTENTIAL_ROLES_CREATED").MaxBy(session => session.PotentialRoles.Count)!;

    /// <summary>The job folders (with a manifest, i.e. complete) of a potential role.</summary>
    public IReadOnlyList<string> CompleteJobFolders(string sessionId, string potentialRoleId)
    {
        var roleFolder = Path.Combine(OutDirectory, sessionId, potentialRoleId);
        return System.IO.Directory.Exists(roleFolder)
            ? System.IO.Directory.GetDirectories(roleFolder).Where(folder => File.Exists(Path.Combine(folder, "manifest.json"))).ToList()
            : [];
    }

    /// <summary>Every stored job document.</summary>
    public IReadOnlyList<JsonElement> JobDocuments()
    {
        var folder = Path.Combine(OutDirectory, ".jobs");
        if (!System.IO.Directory.Exists(folder))
        {
            return [];
        }

        return System.IO.Directory.GetFiles(folder, "*.json")
            .Select(file => JsonDocument.Parse(File.ReadAllText(file)).RootElement.Clone())
            .ToList();
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        Directory.Dispose();
    }
}
