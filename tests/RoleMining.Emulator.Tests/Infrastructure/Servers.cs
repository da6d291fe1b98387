using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace RoleMining.Emulator.Tests.Infrastructure;

/// <summary>Starts emulators for tests: rate limit off unless a test is about it.</summary>
internal static class Servers
{
    public static EmulatorOptions Options(Action<EmulatorOptions>? configure = null)
    {
        var options = new EmulatorOptions();
        options.RateLimit.Enabled = false;
        configure?.Invoke(options);
        return options;
    }

    public static Task<EmulatorServer> StartAsync(Action<EmulatorOptions>? configure = null, TimeProvider? timeProvider = null, ILoggerProvider? logs = null) =>
        EmulatorServer.StartAsync(Options(configure), services =>
        {
            if (timeProvider is not null)
            {
                services.AddSingleton(timeProvider);
            }

            if (logs is not null)
            {
                services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddProvider(logs));
            }
        });

    /// <summary>The first session in state POTENTIAL_ROLES_CREATED, which holds the sized extra potential roles.</summary>
    public static TenantSession FirstCreatedSession(this EmulatorServer server) =>
        server.Tenant.Sessions.First(s => s.State == SessionStates.PotentialRolesCreated);

    /// <summary>The extra potential role with exactly <paramref name="identityCount"/> identities.</summary>
    public static TenantPotentialRole RoleWithIdentities(this EmulatorServer server, int identityCount) =>
        server.FirstCreatedSession().PotentialRoles.First(r => r.IsAdditional && r.IdentityCount == identityCount);

    /// <summary>The resource path of a potential role's sub-resource, e.g. <c>identities</c>.</summary>
    public static string PotentialRolePath(TenantPotentialRole role, string subPath) =>
        $"role-mining-sessions/{role.Session.Id}/potential-roles/{role.Id}/{subPath}";
}
