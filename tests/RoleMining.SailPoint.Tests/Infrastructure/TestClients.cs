using Microsoft.Extensions.Logging;

namespace RoleMining.SailPoint.Tests.Infrastructure;

/// <summary>Options and clients for unit tests against <see cref="StubHandler"/>.</summary>
internal static class TestClients
{
    public const string Secret = "stub-client-secret-7f3a9c";

    /// <summary>Options with fast budgets, rate limiting off and a client id of its own (the limiter registry is per process).</summary>
    public static RoleMiningClientOptions Options(Action<RoleMiningClientOptions>? configure = null)
    {
        var options = new RoleMiningClientOptions
        {
            BaseUrl = new Uri("https://acme.api.identitynow.com"),
            ClientId = "client-" + Guid.NewGuid().ToString("N"),
            ClientSecret = Secret,
        };
        options.RateLimit.Enabled = false;
        options.Retry.BaseDelay = TimeSpan.FromMilliseconds(10);
        options.Retry.MaxDelay = TimeSpan.FromMilliseconds(50);
        options.Timeouts.Attempt = TimeSpan.FromSeconds(10);
        options.Timeouts.Total = TimeSpan.FromSeconds(30);
        configure?.Invoke(options);
        return options;
    }

    public static RoleMiningClient Create(StubHandler handler, Action<RoleMiningClientOptions>? configure = null, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null) =>
        RoleMiningClient.Create(Options(configure), handler, loggerFactory, timeProvider);
}
