using System.Reflection;
using Microsoft.Extensions.Logging;

namespace RoleMining.Functions.Tests.Telemetry;

/// <summary>
/// Log queries and alerts select lines by event id (customDimensions.EventId in Application Insights): within a product
/// assembly, each id names one message.
/// </summary>
public sealed class LogEventIdTests
{
    public static TheoryData<string> ProductAssemblies() =>
    [
        "RoleMining.Functions", "RoleMining.Api", "RoleMining.Exports", "RoleMining.SailPoint", "RoleMining.Emulator",
    ];

    [Theory]
    [MemberData(nameof(ProductAssemblies))]
    public void Every_logged_message_of_an_assembly_has_an_event_id_of_its_own(string assemblyName)
    {
        var messages = Assembly.Load(assemblyName).GetTypes()
            .SelectMany(type => type.GetMethods(BindingFlags.Static | BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Select(method => (Method: $"{method.DeclaringType!.FullName}.{method.Name}", Attribute: method.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(message => message.Attribute is not null)
            .ToList();

        Assert.NotEmpty(messages);
        // -1: no id given (the triggers' own lines); they are told apart by their event names.
        var shared = messages.Where(message => message.Attribute!.EventId != -1).GroupBy(message => message.Attribute!.EventId).Where(group => group.Count() > 1)
            .Select(group => $"{group.Key}: {string.Join(", ", group.Select(message => message.Method))}").ToList();
        Assert.True(shared.Count == 0, "Event ids used twice: " + string.Join("; ", shared));
    }
}
