using System.Reflection;
using RoleMining.Cli.Configuration;

namespace RoleMining.Cli.Tests.Configuration;

/// <summary>
/// The enums that a conversion message lists the names of (a list, since the Native AOT executable cannot look a type up
/// by name): every enum that a bound options type reaches must be on it.
/// </summary>
public sealed class SettingEnumsTests
{
    [Fact]
    public void Every_enum_of_the_bound_settings_is_listed()
    {
        var reached = new HashSet<Type>();
        foreach (var (_, type) in CliConfiguration.BoundSections)
        {
            CollectEnums(type, reached, []);
        }

        Assert.NotEmpty(reached);
        Assert.All(reached, type => Assert.Contains(type, ConfigurationMessages.SettingEnums));
    }

    [Fact]
    public void A_listed_enum_is_described_by_its_names()
    {
        Assert.Equal(
            "one of FixedWindow, SlidingWindow",
            ConfigurationMessages.Expected(typeof(RoleMining.Emulator.EmulatorRateLimitMode).FullName!));
    }

    private static void CollectEnums(Type type, HashSet<Type> enums, HashSet<Type> visited)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        if (!visited.Add(underlying) || underlying == typeof(string) || underlying.IsPrimitive)
        {
            return;
        }

        if (underlying.IsEnum)
        {
            enums.Add(underlying);
            return;
        }

        foreach (var argument in underlying.IsGenericType ? underlying.GetGenericArguments() : [])
        {
            CollectEnums(argument, enums, visited);
        }

        if (underlying.IsArray)
        {
            CollectEnums(underlying.GetElementType()!, enums, visited);
        }

        if (underlying.Namespace?.StartsWith("RoleMining", StringComparison.Ordinal) == true)
        {
            foreach (var property in underlying.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(property => property.CanWrite || !property.PropertyType.IsValueType))
            {
                CollectEnums(property.PropertyType, enums, visited);
            }
        }
    }
}
