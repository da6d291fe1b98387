using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RoleMining.Emulator;

namespace RoleMining.SailPoint.Tests.Infrastructure;

/// <summary>Starts emulators and builds DI-registered clients against them, the way a host would.</summary>
internal static class EmulatorClients
{
    /// <summary>Emulator options with a client id of their own (rate limiters are shared per tenant and client id)
    /// and rate limiting off unless a test turns it on.</summary>
    public static EmulatorOptions Options(Action<EmulatorOptions>? configure = null)
    {
        var options = new EmulatorOptions { ClientId = "test-" + Guid.NewGuid().ToString("N"), ClientSecret = "emulator-secret-" + Guid.NewGuid().ToString("N") };
        options.RateLimit.Enabled = false;
        options.Exports.QueuedFor = TimeSpan.FromMilliseconds(100);
        options.Exports.InProgressFor = TimeSpan.FromMilliseconds(200);
        configure?.Invoke(options);
        return options;
    }

    /// <summary>Starts an emulator; on <paramref name="clock"/> when given (its tokens, rate limits and exports).</summary>
    public static Task<EmulatorServer> StartAsync(Action<EmulatorOptions>? configure = null, TimeProvider? clock = null) =>
        EmulatorServer.StartAsync(Options(configure), services =>
        {
            if (clock is not null)
            {
                services.AddSingleton(clock);
            }
        });

    /// <summary>A service provider with the client registered against <paramref name="server"/>, on <paramref name="clock"/>
    /// when given (registered before the client, whose registration adds the system clock only if there is none).</summary>
    public static ServiceProvider Provider(
        EmulatorServer server,
        Action<RoleMiningClientOptions>? configure = null,
        ILoggerProvider? logs = null,
        Action<IServiceCollection>? services = null,
        TimeProvider? clock = null)
    {
        var collection = new ServiceCollection();
        if (clock is not null)
        {
            collection.AddSingleton(clock);
        }

        collection.AddLogging(logging =>
        {
            logging.SetMinimumLevel(LogLevel.Trace);
            if (logs is not null)
            {
                logging.AddProvider(logs);
            }
        });
        collection.AddSailPointRoleMining(options =>
        {
            options.BaseUrl = server.BaseAddress;
            options.ClientId = server.Options.ClientId;
            options.ClientSecret = server.Options.ClientSecret;
            options.RateLimit.Enabled = false;
            options.Retry.BaseDelay = TimeSpan.FromMilliseconds(20);
            options.Retry.MaxDelay = TimeSpan.FromMilliseconds(100);
            options.Timeouts.Attempt = TimeSpan.FromSeconds(30);
            options.Timeouts.Total = TimeSpan.FromSeconds(60);
            configure?.Invoke(options);
        });
        services?.Invoke(collection);
        return collection.BuildServiceProvider();
    }

    public static IRoleMiningClient Client(this ServiceProvider provider) => provider.GetRequiredService<IRoleMiningClient>();
}

/// <summary>
/// A delegating handler that records the status of every API response and can react to it, and knows whether a request
/// is on its way (a test on a fake clock holds the clock still meanwhile: a real HTTP round trip takes no fake time).
/// </summary>
internal sealed class ResponseRecorder : DelegatingHandler
{
    private int _inFlight;

    /// <summary>The clock of <see cref="Responses"/>' timestamps (the client's, when it runs on a fake one).</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    public ConcurrentQueue<(long Timestamp, int Status)> Responses { get; } = new();

    public Action<HttpResponseMessage>? OnResponse { get; set; }

    /// <summary>Whether no request is between this handler and its response.</summary>
    public bool Idle => Volatile.Read(ref _inFlight) == 0;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _inFlight);
        try
        {
            var response = await base.SendAsync(request, cancellationToken);
            Responses.Enqueue((Clock.GetTimestamp(), (int)response.StatusCode));
            OnResponse?.Invoke(response);
            return response;
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }
}

/// <summary>Remembers every access token the token endpoint issued and every one the API was sent.</summary>
internal sealed class TokenRecorder : DelegatingHandler
{
    public ConcurrentBag<string> Tokens { get; } = [];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Headers.Authorization?.Parameter is { } sent)
        {
            Tokens.Add(sent);
        }

        var response = await base.SendAsync(request, cancellationToken);
        if (request.RequestUri!.AbsolutePath.EndsWith("/oauth/token", StringComparison.Ordinal) && response.IsSuccessStatusCode)
        {
            await response.Content.LoadIntoBufferAsync(cancellationToken);
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            Tokens.Add(body.RootElement.GetProperty("access_token").GetString()!);
        }

        return response;
    }
}
