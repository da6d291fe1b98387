using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RoleMining.Emulator;
using RoleMining.Functions.Hosting;

namespace RoleMining.Functions.Tests.Infrastructure;

/// <summary>
/// The app's services as Program.cs registers them (AddRoleMiningFunctions), configured like local.settings.sample.json
/// but against an in-process emulator, with short delays so that a whole export runs in seconds.
/// </summary>
public sealed class FunctionsApp : IAsyncDisposable
{
    private FunctionsApp(AzuriteServer azurite, EmulatorServer emulator, ServiceProvider services)
    {
        Azurite = azurite;
        Emulator = emulator;
        Services = services;
    }

    /// <summary>A setting of the tests, not of the app: the seed of the emulator's synthetic tenant.</summary>
    public const string EmulatorSeedSetting = "Emulator:Tenant:Seed";

    public AzuriteServer Azurite { get; }

    public EmulatorServer Emulator { get; }

    public ServiceProvider Services { get; }

    /// <summary>
    /// Starts the app; <paramref name="configureServices"/> adds to what Program.cs registers (telemetry exporters, log
    /// collectors) before the container is built.
    /// </summary>
    public static async Task<FunctionsApp> StartAsync(
        AzuriteServer azurite,
        IDictionary<string, string?>? settings = null,
        Action<IServiceCollection, IConfiguration>? configureServices = null)
    {
        var options = new EmulatorOptions { ClientId = "functions-tests", ClientSecret = "functions-tests-secret-" + Guid.NewGuid().ToString("N") };
        options.RateLimit.Enabled = false;
        options.Exports.QueuedFor = TimeSpan.FromMilliseconds(100);
        options.Exports.InProgressFor = TimeSpan.FromMilliseconds(200);
        // Tests that need potential roles no other test has exported yet ask for a tenant of their own.
        if (settings?.TryGetValue(EmulatorSeedSetting, out var seed) == true)
        {
            options.Tenant.Seed = int.Parse(seed!, System.Globalization.CultureInfo.InvariantCulture);
        }

        var emulator = await EmulatorServer.StartAsync(options);

        var values = new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["SailPoint:BaseUrl"] = emulator.BaseAddress.ToString(),
            ["SailPoint:ClientId"] = options.ClientId,
            ["SailPoint:ClientSecret"] = options.ClientSecret,
            ["SailPoint:ApiVersion"] = "v2024",
            ["SailPoint:RateLimit:Enabled"] = "false",
            ["Exports:MaxAttempts"] = "5",
            ["Exports:Polling:InitialDelay"] = "00:00:00.200",
            ["Exports:Polling:MaxDelay"] = "00:00:01",
            ["Exports:LeaseDuration"] = "00:00:10",
            ["RoleMining_Schedule"] = "0 0 2 * * *",
            ["RoleMining_ResumeSchedule"] = "*/30 * * * * *",
            // Without a way in the app answers every request with 503; this is the SHA-256 of local.settings.sample.json's
            // development key.
            ["RoleMining:Api:Authentication:ApiKeys:LocalDevelopment"] = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(ApiKey))),
        };
        foreach (var setting in settings ?? new Dictionary<string, string?>())
        {
            values[setting.Key] = setting.Value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var collection = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddLogging()
            .AddRoleMiningFunctions(configuration);
        configureServices?.Invoke(collection, configuration);
        var services = collection.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        // What the host does at start: the local initializer creates the containers and queues.
        foreach (var hosted in services.GetServices<IHostedService>())
        {
            await hosted.StartAsync(CancellationToken.None);
        }

        return new FunctionsApp(azurite, emulator, services);
    }

    /// <summary>An instance of a function class, created the way the worker does (from the container).</summary>
    public T Function<T>() where T : class => ActivatorUtilities.CreateInstance<T>(Services);

    /// <summary>The API key the app accepts (the documented development key).</summary>
    public const string ApiKey = "local-development-key";

    /// <summary>Runs an HTTP function's result against a request with <paramref name="routeValues"/> (and <paramref name="path"/>); returns the response.</summary>
    public async Task<HttpResponse> InvokeHttpAsync(
        Func<HttpRequest, CancellationToken, Task<IActionResult>> function,
        string method,
        IDictionary<string, string> routeValues,
        string? body = null,
        bool authenticated = true,
        string? path = null)
    {
        await using var scope = Services.CreateAsyncScope();
        var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        context.Request.Method = method;
        context.Request.Scheme = "https";
        context.Request.Host = new HostString("func-test.azurewebsites.net");
        context.Request.Path = path;
        if (authenticated)
        {
            context.Request.Headers[RoleMining.Api.Authentication.ApiAuthenticationOptions.ApiKeyHeader] = ApiKey;
        }
        foreach (var (name, value) in routeValues)
        {
            context.Request.RouteValues[name] = value;
        }

        if (body is not null)
        {
            context.Request.ContentType = "application/json";
            context.Request.Body = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(body));
        }

        context.Response.Body = new MemoryStream();
        var result = await function(context.Request, CancellationToken.None);
        await result.ExecuteResultAsync(new ActionContext(context, new RouteData(), new ActionDescriptor()));
        context.Response.Body.Position = 0;
        return context.Response;
    }

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        await Emulator.DisposeAsync();
    }
}
