using System.Reflection.PortableExecutable;
using System.Text.Json;
using RoleMining.Api.Routing;
using RoleMining.Exports;
using RoleMining.Functions.Configuration;
using RoleMining.Functions.EndToEndTests.Infrastructure;
using RoleMining.Testing;

namespace RoleMining.Functions.EndToEndTests.Publish;

/// <summary>
/// What `dotnet publish` (Release) leaves for Azure: the worker, the function index the host reads
/// (functions.metadata), the host-side extensions (extensions.json) and the host settings, and nothing local.
/// </summary>
public sealed class PublishOutputTests
{
    /// <summary>What crossgen2 XORs into the machine field of a Linux image (an R2R image made for Windows keeps plain AMD64).</summary>
    private const ushort LinuxReadyToRunMachine = 0x7B79;

    [Fact]
    public async Task The_release_build_has_no_warnings()
    {
        var app = await PublishedApp.GetAsync();

        Assert.Empty(app.Warnings);
    }

    [Fact]
    public async Task The_output_holds_the_worker_its_configuration_and_host_json_but_no_local_settings()
    {
        var app = await PublishedApp.GetAsync();

        Assert.True(File.Exists(app.PathOf("RoleMining.Functions.dll")));
        Assert.True(File.Exists(app.PathOf("functions.metadata")));
        Assert.True(File.Exists(app.PathOf("extensions.json")));
        Assert.False(File.Exists(app.PathOf("local.settings.json")));

        using var workerConfig = JsonDocument.Parse(await File.ReadAllTextAsync(app.PathOf("worker.config.json")));
        var description = workerConfig.RootElement.GetProperty("description");
        Assert.Equal("dotnet-isolated", description.GetProperty("language").GetString());
        Assert.Equal("RoleMining.Functions.dll", description.GetProperty("defaultWorkerPath").GetString());

        Assert.Equal(
            await File.ReadAllTextAsync(RepositoryPaths.Combine("host.json")),
            await File.ReadAllTextAsync(app.PathOf("host.json")));
    }

    [Theory]
    [InlineData("RoleMining.Functions.dll")]
    [InlineData("RoleMining.Exports.dll")]
    [InlineData("RoleMining.Api.dll")]
    [InlineData("RoleMining.SailPoint.dll")]
    public async Task The_app_and_its_libraries_are_compiled_ahead_of_time_for_linux_x64_and_keep_their_IL(string assembly)
    {
        var app = await PublishedApp.GetAsync();
        using var stream = File.OpenRead(app.PathOf(assembly));
        using var image = new PEReader(stream);

        // A ReadyToRun image carries a native header beside its metadata, and marks its target OS in the machine field.
        var corHeader = image.PEHeaders.CorHeader ?? throw new InvalidOperationException($"{assembly} is not a .NET assembly.");
        Assert.True(corHeader.ManagedNativeHeaderDirectory.Size > 0, $"{assembly} holds no ReadyToRun code.");
        Assert.Equal((Machine)((ushort)Machine.Amd64 ^ LinuxReadyToRunMachine), image.PEHeaders.CoffHeader.Machine);
        Assert.True(image.HasMetadata);
        // Framework-dependent: the worker still runs on the plan's .NET, as before.
        Assert.False(File.Exists(app.PathOf("System.Private.CoreLib.dll")));
    }

    [Fact]
    public async Task Every_api_route_is_one_http_function_with_its_method_and_route_anonymous_to_the_host_because_the_app_authenticates()
    {
        var functions = await PublishedFunctionsAsync();

        var http = functions.Where(function => function.Trigger.GetProperty("type").GetString() == "httpTrigger").ToList();
        Assert.Equal(ApiRoutes.All.Count + 1, http.Count);
        // The one more takes every method on every path the routes do not (no "methods": the host's "any").
        var unrouted = Assert.Single(http, candidate => candidate.Name == UnroutedRequests.FunctionName);
        Assert.Equal(UnroutedRequests.Template, unrouted.Trigger.GetProperty("route").GetString());
        Assert.True(!unrouted.Trigger.TryGetProperty("methods", out var any) || any.ValueKind == JsonValueKind.Null, $"methods: {any}");
        Assert.Equal("Anonymous", unrouted.Trigger.GetProperty("authLevel").GetString());
        foreach (var route in ApiRoutes.All)
        {
            var function = Assert.Single(http, candidate => candidate.Name == route.OperationId);
            Assert.Equal(route.Methods.Select(method => method.ToLowerInvariant()), function.Trigger.GetProperty("methods").EnumerateArray().Select(method => method.GetString()));
            Assert.Equal(route.Template, function.Trigger.GetProperty("route").GetString());
            // The host would refuse Entra ID callers before the app's gate (ApiRouteDispatcher) could accept them.
            Assert.Equal("Anonymous", function.Trigger.GetProperty("authLevel").GetString());
        }
    }

    [Fact]
    public async Task Every_step_queue_and_its_poison_queue_has_one_trigger_on_the_host_storage_connection()
    {
        var functions = await PublishedFunctionsAsync();

        var queues = functions.Where(function => function.Trigger.GetProperty("type").GetString() == "queueTrigger").ToList();
        var expected = Enum.GetValues<ExportStep>()
            .SelectMany(step => new[] { ExportQueueNames.For(step), ExportQueueNames.PoisonFor(step) })
            .Order(StringComparer.Ordinal);
        Assert.Equal(expected, queues.Select(function => function.Trigger.GetProperty("queueName").GetString()).Order(StringComparer.Ordinal));
        Assert.All(queues, function => Assert.Equal(FunctionsSettings.StorageConnection, function.Trigger.GetProperty("connection").GetString()));
    }

    [Fact]
    public async Task The_sweep_and_resume_timers_take_their_schedules_from_the_settings()
    {
        var functions = await PublishedFunctionsAsync();

        var timers = functions
            .Where(function => function.Trigger.GetProperty("type").GetString() == "timerTrigger")
            .ToDictionary(function => function.Name, function => function.Trigger.GetProperty("schedule").GetString(), StringComparer.Ordinal);
        Assert.Equal(2, timers.Count);
        Assert.Equal(FunctionsSettings.ScheduleExpression, timers["ExportSweep"]);
        Assert.Equal(FunctionsSettings.ResumeScheduleExpression, timers["ExportResume"]);
        Assert.Equal(functions.Count, functions.Select(function => function.Name).Distinct(StringComparer.OrdinalIgnoreCase).Count());
        // One per API route and one for what no route takes, one per step queue and poison queue, and the two timers.
        Assert.Equal(ApiRoutes.All.Count + 1 + (Enum.GetValues<ExportStep>().Length * 2) + 2, functions.Count);
    }

    [Fact]
    public async Task The_host_loads_the_queue_extension_from_the_output_and_has_http_and_timer_built_in()
    {
        var app = await PublishedApp.GetAsync();
        using var extensions = JsonDocument.Parse(await File.ReadAllTextAsync(app.PathOf("extensions.json")));

        var listed = extensions.RootElement.GetProperty("extensions").EnumerateArray()
            .Select(extension => (Name: extension.GetProperty("name").GetString()!, Hint: extension.GetProperty("hintPath").GetString()!))
            .ToList();

        // The queue trigger's host-side binding (WebJobs.Extensions.Storage.Queues) ships with the app ...
        var queues = Assert.Single(listed, extension => extension.Name == "AzureStorageQueues");
        Assert.True(File.Exists(app.PathOf(queues.Hint)), $"{queues.Hint} is listed in extensions.json but not published.");
        // ... and the worker indexes its functions through the metadata loader the SDK adds.
        Assert.Contains(listed, extension => extension.Name == "Startup");
        // HTTP and timer triggers need no entry: the Functions host has them built in (WebJobs.Extensions.Http and
        // WebJobs.Extensions), so the SDK generates none; the end-to-end tests show the host serving both.
    }

    private static async Task<IReadOnlyList<PublishedFunction>> PublishedFunctionsAsync()
    {
        var app = await PublishedApp.GetAsync();
        using var metadata = JsonDocument.Parse(await File.ReadAllTextAsync(app.PathOf("functions.metadata")));
        return metadata.RootElement.EnumerateArray()
            .Select(function => new PublishedFunction(
                function.GetProperty("name").GetString()!,
                function.GetProperty("bindings").EnumerateArray()
                    .Single(binding => binding.GetProperty("type").GetString()!.EndsWith("Trigger", StringComparison.Ordinal))
                    .Clone()))
            .ToList();
    }

    private sealed record PublishedFunction(string Name, JsonElement Trigger);
}
