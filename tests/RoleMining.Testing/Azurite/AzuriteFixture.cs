using Xunit;

namespace RoleMining.Testing.Azurite;

/// <summary>
/// Starts Azurite once for a test collection (or uses the one ROLEMINING_AZURITE_CONNECTION_STRING names) and stops it
/// at the end. Each test project declares its own collection over it (xUnit finds collection definitions only in the
/// test assembly).
/// </summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    private AzuriteServer? _server;

    public AzuriteServer Server => _server ?? throw new InvalidOperationException("Azurite has not started.");

    /// <summary>A container name no other test uses.</summary>
    public static string NewContainerName() => "test-" + Guid.NewGuid().ToString("N")[..12];

    public async Task InitializeAsync() => _server = await AzuriteServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
