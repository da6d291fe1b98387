using System.Reflection;
using System.Text.Json;
using Microsoft.Azure.Functions.Worker;
using RoleMining.Api.Routing;
using RoleMining.Exports;
using RoleMining.Functions.Configuration;
using RoleMining.Functions.Triggers;
using RoleMining.Infrastructure.Tests.Support;

namespace RoleMining.Infrastructure.Tests.Functions;

/// <summary>
/// The triggers the Functions app declares agree with host.json and Bicep. (That the SDK turns them into the function
/// index the host reads, route by route, is checked on the publish output in RoleMining.Functions.EndToEndTests.)
/// </summary>
public sealed class FunctionTriggersTests
{
    private static readonly IReadOnlyList<(string Name, Attribute Trigger)> Declared =
        typeof(ApiFunctions).Assembly.GetTypes()
            .SelectMany(type => type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static))
            .Where(method => method.GetCustomAttribute<FunctionAttribute>() is not null)
            .Select(method => (
                method.GetCustomAttribute<FunctionAttribute>()!.Name,
                method.GetParameters().SelectMany(parameter => parameter.GetCustomAttributes()).Single(attribute => attribute.GetType().Name.EndsWith("TriggerAttribute", StringComparison.Ordinal))))
            .ToList();

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
        // One per route, and one for what no route takes.
        Assert.Equal(ApiRoutes.All.Count + 1, Declared.Count(function => function.Trigger is HttpTriggerAttribute));
    }

    [Fact]
    public void Every_step_queue_and_poison_queue_has_one_trigger_on_the_storage_connection_and_bicep_creates_it()
    {
        var queues = Declared.Select(function => function.Trigger).OfType<QueueTriggerAttribute>().ToList();
        var expected = Enum.GetValues<ExportStep>()
            .SelectMany(step => new[] { ExportQueueNames.For(step), ExportQueueNames.PoisonFor(step) })
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.Equal(expected, queues.Select(queue => queue.QueueName).Order(StringComparer.Ordinal));
        Assert.All(queues, queue => Assert.Equal(FunctionsSettings.StorageConnection, queue.Connection));
        Assert.Equal(expected, BicepFile.Load("infra/main.bicep").StringArrayVariable("queueNames")!.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_sweep_and_resume_timers_read_their_schedules_from_settings()
    {
        var timers = Declared
            .Where(function => function.Trigger is TimerTriggerAttribute)
            .ToDictionary(function => function.Name, function => ((TimerTriggerAttribute)function.Trigger).Schedule, StringComparer.Ordinal);

        Assert.Equal(2, timers.Count);
        Assert.Equal(FunctionsSettings.ScheduleExpression, timers["ExportSweep"]);
        Assert.Equal(FunctionsSettings.ResumeScheduleExpression, timers["ExportResume"]);
        Assert.Equal("%" + FunctionsSettings.ScheduleSetting + "%", FunctionsSettings.ScheduleExpression);
        Assert.Equal("%" + FunctionsSettings.ResumeScheduleSetting + "%", FunctionsSettings.ResumeScheduleExpression);
        // The app settings are resolved by their plain names: nothing relies on '__' becoming ':' (the scale controller of
        // an idle Flex Consumption app reads app settings as they are).
        Assert.All([FunctionsSettings.ScheduleSetting, FunctionsSettings.ResumeScheduleSetting], setting =>
        {
            Assert.DoesNotContain(":", setting, StringComparison.Ordinal);
            Assert.DoesNotContain("__", setting, StringComparison.Ordinal);
        });
    }
}
