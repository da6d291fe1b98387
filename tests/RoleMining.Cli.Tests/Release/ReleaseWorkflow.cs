using RoleMining.Testing;
using YamlDotNet.RepresentationModel;

namespace RoleMining.Cli.Tests.Release;

/// <summary>The jobs and steps of <c>.github/workflows/release.yml</c>, for tests that run its shell steps here.</summary>
internal static class ReleaseWorkflow
{
    public static YamlMappingNode Job(string name)
    {
        using var reader = File.OpenText(RepositoryPaths.Combine(".github/workflows/release.yml"));
        var yaml = new YamlStream();
        yaml.Load(reader);
        return (YamlMappingNode)((YamlMappingNode)yaml.Documents[0].RootNode)["jobs"][name];
    }

    /// <summary>The named steps of <paramref name="job"/> by name.</summary>
    public static Dictionary<string, YamlMappingNode> Steps(YamlMappingNode job) =>
        ((YamlSequenceNode)job["steps"]).Children.Cast<YamlMappingNode>()
            .Where(step => step.Children.ContainsKey("name"))
            .ToDictionary(step => (string)step["name"]!, step => step, StringComparer.Ordinal);
}
