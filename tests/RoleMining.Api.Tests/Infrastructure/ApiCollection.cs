using RoleMining.Api.Tests.Infrastructure;

namespace RoleMining.Api.Tests.Infrastructure;

/// <summary>One API host (with its emulator) shared by the read-only tests of a class.</summary>
public sealed class SharedApiHost : IAsyncLifetime
{
    private ApiTestHost? _host;

    internal ApiTestHost Host => _host ?? throw new InvalidOperationException("The host has not started.");

    public async Task InitializeAsync() => _host = await ApiTestHost.StartAsync(options => options.Tenant.AdditionalPotentialRoleIdentityCounts = [0, 1, 250, 251, 600]);

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }
}
