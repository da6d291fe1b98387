using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using RoleMining.SailPoint.RateLimiting;
using RoleMining.Testing.RateLimiting;

namespace RoleMining.SailPoint.Tests.RateLimiting;

/// <summary>Limiters on fake time, with every grant recorded as the limiter saw it.</summary>
internal static class Limiters
{
    public static readonly DateTimeOffset Start = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    public static RoleMiningClientOptions Options(Action<SailPointRateLimitOptions>? configure = null, string? clientId = null)
    {
        var options = new RoleMiningClientOptions
        {
            BaseUrl = new Uri("https://acme.api.identitynow.com"),
            ClientId = clientId ?? "client-" + Guid.NewGuid().ToString("N"),
            ClientSecret = "secret",
        };
        options.RateLimit.PermitLimit = 10;
        options.RateLimit.Window = TimeSpan.FromSeconds(1);
        options.RateLimit.JitterMargin = TimeSpan.FromMilliseconds(100);
        configure?.Invoke(options.RateLimit);
        return options;
    }

    public static LocalRateLimiter Local(FakeTimeProvider time, GrantTimeline timeline, RoleMiningClientOptions options, ILogger? logger = null) =>
        new(new RateBudgetPolicy(options), time, logger ?? NullLogger.Instance) { GrantObserved = timeline.Record };

    public static SharedRateLimiter Shared(FakeTimeProvider time, GrantTimeline timeline, RoleMiningClientOptions options, ISailPointRateBudgetStore store, ILogger? logger = null) =>
        new(new RateBudgetPolicy(options), store, time, logger ?? NullLogger.Instance) { GrantObserved = timeline.Record };

    /// <summary>A caller whose request takes no time: it hands its permit back as soon as it has it.</summary>
    public static async Task Instant(this QueuedRateLimiter limiter, string operationId, GrantTimeline timeline, CancellationToken cancellationToken = default) =>
        timeline.Answer(await limiter.AcquireAsync(operationId, cancellationToken));

    /// <summary>Fake UTC time as the shared limiter counts it.</summary>
    public static long Ticks(FakeTimeProvider time) => time.GetUtcNow().UtcTicks;
}
