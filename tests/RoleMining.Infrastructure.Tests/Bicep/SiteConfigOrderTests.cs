using System.Text.Json;
using RoleMining.Infrastructure.Tests.Support;

namespace RoleMining.Infrastructure.Tests.Bicep;

/// <summary>
/// The Function App's <c>Microsoft.Web/sites/config</c> resources (app settings, App Service authentication) are written
/// one after the other: ARM deploys resources without a dependency between them in parallel, and two config writes to
/// one site at once race (an intermittent conflict, or settings that go missing).
/// </summary>
public sealed class SiteConfigOrderTests
{
    [RequiresBicepFact]
    public async Task Every_site_config_write_is_ordered_after_or_before_every_other()
    {
        using var document = await BicepCli.CompileAsync(AppSettings.FunctionAppBicep);

        // Symbolic names (language version 2.0): each resource's dependsOn names others by symbol.
        var resources = document.RootElement.GetProperty("resources").EnumerateObject().ToDictionary(
            resource => resource.Name,
            resource => (
                Type: resource.Value.GetProperty("type").GetString()!,
                DependsOn: resource.Value.TryGetProperty("dependsOn", out var dependsOn)
                    ? dependsOn.EnumerateArray().Select(name => name.GetString()!).ToList()
                    : []),
            StringComparer.Ordinal);
        var configs = resources.Where(resource => resource.Value.Type == "Microsoft.Web/sites/config").Select(resource => resource.Key).ToList();

        Assert.Contains("authSettings", configs);
        Assert.Contains("functionApp::appSettings", configs);
        foreach (var first in configs)
        {
            foreach (var second in configs.Where(other => string.CompareOrdinal(other, first) > 0))
            {
                Assert.True(
                    DependsOn(resources, first, second) || DependsOn(resources, second, first),
                    $"{first} and {second} both write the site's config and neither depends on the other: ARM deploys them in parallel.");
            }
        }
    }

    private static bool DependsOn(Dictionary<string, (string Type, List<string> DependsOn)> resources, string resource, string on)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([resource]);
        while (pending.TryPop(out var current))
        {
            foreach (var dependency in resources.TryGetValue(current, out var entry) ? entry.DependsOn : [])
            {
                if (dependency == on)
                {
                    return true;
                }

                if (seen.Add(dependency))
                {
                    pending.Push(dependency);
                }
            }
        }

        return false;
    }
}
