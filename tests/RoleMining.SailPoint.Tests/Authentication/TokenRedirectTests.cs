using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RoleMining.SailPoint.Tests.Infrastructure;

namespace RoleMining.SailPoint.Tests.Authentication;

/// <summary>
/// A token endpoint that redirects gets no client secret sent on: HttpClient drops the Authorization header when it
/// follows a redirect, but a 307 or 308 sends the body (grant type, client id, client secret) again to the new URL.
/// </summary>
public sealed class TokenRedirectTests : IAsyncLifetime
{
    private readonly ConcurrentQueue<string> _received = new();
    private WebApplication? _server;
    private Uri? _baseUrl;
    private int _status = 307;
    private int _tokenRequests;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration["urls"] = "http://127.0.0.1:0";
        _server = builder.Build();
        // 'localhost' is another host than 127.0.0.1 to HttpClient, as an attacker's would be.
        _server.MapPost("/oauth/token", (HttpContext context) =>
        {
            Interlocked.Increment(ref _tokenRequests);
            var port = context.Request.Host.Port;
            context.Response.Headers.Location = $"http://localhost:{port}/elsewhere/token";
            return Results.StatusCode(_status);
        });
        _server.MapPost("/elsewhere/token", async (HttpContext context) =>
        {
            using var reader = new StreamReader(context.Request.Body);
            _received.Enqueue(await reader.ReadToEndAsync());
            return Results.Json(new { access_token = "stolen", token_type = "bearer", expires_in = 3600 });
        });
        await _server.StartAsync();
        _baseUrl = new Uri(_server.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    [Theory]
    [InlineData(307)]
    [InlineData(308)]
    public async Task A_client_from_the_container_sends_the_secret_only_to_the_configured_token_endpoint(int status)
    {
        var services = new ServiceCollection();
        services.AddSailPointRoleMining(options => Configure(options, status));
        using var provider = services.BuildServiceProvider();

        var thrown = await Assert.ThrowsAsync<SailPointException>(() => provider.GetRequiredService<IRoleMiningClient>().GetSessionAsync("session-1"));

        AssertRefusedWithoutForwarding(thrown, status);
    }

    [Fact]
    public async Task A_client_built_without_a_container_sends_the_secret_only_to_the_configured_token_endpoint()
    {
        using var client = RoleMiningClient.Create(TestClients.Options(options => Configure(options, 307)));

        var thrown = await Assert.ThrowsAsync<SailPointException>(() => client.GetSessionAsync("session-1"));

        AssertRefusedWithoutForwarding(thrown, 307);
    }

    [Fact]
    public async Task A_handler_given_to_Create_that_follows_redirects_is_refused_and_one_that_does_not_is_used()
    {
        using var follows = new SocketsHttpHandler();
        using var stops = new SocketsHttpHandler { AllowAutoRedirect = false };

        var refused = Assert.Throws<ArgumentException>(() => RoleMiningClient.Create(TestClients.Options(options => Configure(options, 307)), follows));
        using var client = RoleMiningClient.Create(TestClients.Options(options => Configure(options, 307)), stops);
        var thrown = await Assert.ThrowsAsync<SailPointException>(() => client.GetSessionAsync("session-1"));

        Assert.Equal("handler", refused.ParamName);
        Assert.Contains("AllowAutoRedirect", refused.Message, StringComparison.Ordinal);
        AssertRefusedWithoutForwarding(thrown, 307);
    }

    [Fact]
    public async Task A_primary_handler_configured_for_the_token_client_that_follows_redirects_sends_nothing()
    {
        // A proxy set up as SailPointHttpClientNames suggests, with the handler's default of following redirects.
        var services = new ServiceCollection();
        services.AddSailPointRoleMining(options => Configure(options, 307));
        services.AddHttpClient(SailPointHttpClientNames.Token).ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler());
        using var provider = services.BuildServiceProvider();

        var thrown = await Assert.ThrowsAnyAsync<Exception>(() => provider.GetRequiredService<IRoleMiningClient>().GetSessionAsync("session-1"));

        Assert.Empty(_received);
        Assert.Equal(0, _tokenRequests);
        Assert.Contains("AllowAutoRedirect", thrown.ToString(), StringComparison.Ordinal);
    }

    private void Configure(RoleMiningClientOptions options, int status)
    {
        _status = status;
        options.BaseUrl = _baseUrl;
        options.ClientId = "client-" + Guid.NewGuid().ToString("N");
        options.ClientSecret = TestClients.Secret;
        options.RateLimit.Enabled = false;
        options.Retry.BaseDelay = TimeSpan.FromMilliseconds(10);
        options.Retry.MaxDelay = TimeSpan.FromMilliseconds(50);
    }

    private void AssertRefusedWithoutForwarding(SailPointException thrown, int status)
    {
        Assert.Empty(_received);
        Assert.Equal(SailPointErrorKind.Authentication, thrown.Kind);
        Assert.Equal(status, thrown.StatusCode);
        Assert.Contains("redirect", thrown.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(TestClients.Secret, thrown.ToString(), StringComparison.Ordinal);
    }
}
