using RoleMining.Infrastructure.Tests.Support;

namespace RoleMining.Infrastructure.Tests.Bicep;

/// <summary>
/// The tree-sitter Bicep syntax gate (infra/tools/check-bicep.mjs) passes on every template, and fails on a broken one.
/// The full compiler and linter run in GitHub Actions (az bicep build); the Bicep CLI cannot be installed here.
/// </summary>
public sealed class BicepSyntaxGateTests
{
    [RequiresNodeFact]
    public void Every_template_parses_without_syntax_errors()
    {
        Node.EnsureBicepToolsInstalled();

        var (exitCode, output) = Node.Run("node", ["infra/tools/check-bicep.mjs"], Repository.Root);

        Assert.True(exitCode == 0, output);
        foreach (var file in BicepFile.All())
        {
            Assert.Contains($"ok      {file.RelativePath}", output, StringComparison.Ordinal);
        }
    }

    [RequiresNodeFact]
    public void A_template_with_a_syntax_error_fails_the_gate_with_its_position()
    {
        Node.EnsureBicepToolsInstalled();
        var folder = Directory.CreateTempSubdirectory("bicep-gate-");
        try
        {
            File.WriteAllText(Path.Combine(folder.FullName, "good.bicep"), "param name string\noutput upper string = toUpper(name)\n");
            File.WriteAllText(Path.Combine(folder.FullName, "broken.bicep"), "param name string\nvar x = concat(name\noutput y string = x\n");

            var (exitCode, output) = Node.Run("node", [Repository.PathOf("infra/tools/check-bicep.mjs"), folder.FullName], folder.FullName);

            Assert.Equal(1, exitCode);
            Assert.Contains("ok      good.bicep", output, StringComparison.Ordinal);
            Assert.Matches(@"FAILED  broken\.bicep:\d+:\d+:", output);
            Assert.Contains("1 of 2 Bicep files parsed without syntax errors", output, StringComparison.Ordinal);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
