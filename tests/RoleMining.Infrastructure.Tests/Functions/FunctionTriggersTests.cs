using System.Text.Json;
using RoleMining.Api.Routing;
using RoleMining.Exports;
using RoleMining.Functions.Configuration;
using RoleMining.Infrastructure.Tests.Support;

namespace RoleMining.Infrastructure.Tests.Functions;

/// <summary>The triggers of the Functions app agree with the route table, the queue names and the settings.</summary>
public sealed class FunctionTriggersTests
{
    private static readonly IReadOnlyList<DeclaredFunction> Declared = FunctionsSource.Functions();

    [Fact]
    public void Function_names_are_unique()
    {
        Assert.NotEmpty(Declared);
        Assert.Equal(Declared.Count, Declared.Select(function => function.Name).Distinct(StringComparer.OrdinalIgnoreCase).Count());
    }

    [Fact]
    public void Every_api_route_has_exactly_one_http_function_with_the_same_method_and_route()
    {
        var http = Declared.Where(function => function.Trigger == "HttpTrigger").ToList();

        Assert.Equal(ApiRoutes.All.Count, http.Count);
        foreach (var route in ApiRoutes.All)
        {
            var function = Assert.Single(http, candidate => candidate.Name == route.OperationId);
            var methods = FunctionsSource.PositionalStrings(function.Arguments).Select(method => method.ToUpperInvariant());

            Assert.Equal([route.Method], methods);
            Assert.Equal(route.Template, FunctionsSource.Named(function.Arguments, "Route"));
            Assert.StartsWith("AuthorizationLevel.Function", function.Arguments.TrimStart(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Routes_keep_the_api_prefix_the_route_table_assumes()
    {
        using var host = JsonDocument.Parse(Repository.ReadText("host.json"));
        var prefix = host.RootElement.TryGetProperty("extensions", out var extensions)
            && extensions.TryGetProperty("http", out var http)
            && http.TryGetProperty("routePrefix", out var routePrefix)
            ? routePrefix.GetString()
            : "api"; // the Functions host's default

        Assert.Equal(ApiRoutes.Prefix, prefix);
    }

    [Fact]
    public void Every_step_queue_and_poison_queue_has_exactly_one_trigger_on_the_storage_connection()
    {
        var queues = Declared.Where(function => function.Trigger == "QueueTrigger").ToList();
        var expected = Enum.GetValues<ExportStep>()
            .SelectMany(step => new[] { ExportQueueNames.For(step), ExportQueueNames.PoisonFor(step) })
            .Order(StringComparer.Ordinal);

        var triggered = queues.Select(function => FunctionsSource.PositionalStrings(function.Arguments).Single()).Order(StringComparer.Ordinal);

        Assert.Equal(expected, triggered);
        Assert.All(queues, function => Assert.Equal("FunctionsSettings.StorageConnection", FunctionsSource.NamedRaw(function.Arguments, "Connection")));

        // And Bicep creates every one of them.
        Assert.Equal(expected, BicepFile.Load("infra/main.bicep").StringArrayVariable("queueNames")!.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_sweep_timer_reads_its_schedule_from_settings()
    {
        var timer = Assert.Single(Declared, function => function.Trigger == "TimerTrigger");

        Assert.Equal(FunctionsSettings.ScheduleExpression, FunctionsSource.PositionalStrings(timer.Arguments).Single());
        Assert.Equal("%" + FunctionsSettings.ScheduleSetting + "%", FunctionsSettings.ScheduleExpression);
    }

    [Fact]
    public void The_reader_understands_the_declarations_it_checks()
    {
        Assert.Equal("export-start-poison", FunctionsSource.Evaluate("ExportQueueNames.Start + ExportQueueNames.PoisonSuffix"));
        Assert.Equal(["get", "post"], FunctionsSource.PositionalStrings("AuthorizationLevel.Function, \"get\", \"post\", Route = \"a/{b}\""));
        Assert.Equal("a/{b}", FunctionsSource.Named("AuthorizationLevel.Function, \"get\", Route = \"a/{b}\"", "Route"));
        Assert.Throws<InvalidOperationException>(() => FunctionsSource.Evaluate("Unknown.Constant"));
    }
}
