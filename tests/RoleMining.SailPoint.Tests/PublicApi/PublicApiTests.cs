using System.Text;
using PublicApiGenerator;
using RoleMining.Testing;

namespace RoleMining.SailPoint.Tests.PublicApi;

/// <summary>
/// The public surface of RoleMining.SailPoint, as the built assembly has it, against the checked-in list
/// <c>RoleMining.SailPoint.api.txt</c>: any change to what users of the library can call shows here and must be made on
/// purpose. After a deliberate change, run the test with <c>ROLEMINING_ACCEPT_PUBLIC_API=1</c> to rewrite the list, and
/// review its diff with the change. The surface is written by PublicApiGenerator (C# declarations of every public and
/// protected type and member, in every namespace: the DI extensions are in Microsoft.Extensions.DependencyInjection).
/// </summary>
public sealed class PublicApiTests
{
    private const string AcceptVariable = "ROLEMINING_ACCEPT_PUBLIC_API";
    private static readonly string ListPath = RepositoryPaths.Combine("tests/RoleMining.SailPoint.Tests/PublicApi/RoleMining.SailPoint.api.txt");

    [Fact]
    public void The_public_surface_is_the_checked_in_list()
    {
        var actual = Surface();
        if (Environment.GetEnvironmentVariable(AcceptVariable) == "1")
        {
            File.WriteAllLines(ListPath, actual, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        }

        var expected = File.ReadAllLines(ListPath);
        var added = actual.Except(expected, StringComparer.Ordinal).ToList();
        var removed = expected.Except(actual, StringComparer.Ordinal).ToList();
        Assert.True(
            added.Count == 0 && removed.Count == 0,
            $"The public surface of RoleMining.SailPoint changed ({AcceptVariable}=1 rewrites the list).\n"
            + string.Concat(added.Select(line => $"+ {line}\n")) + string.Concat(removed.Select(line => $"- {line}\n")));
    }

    [Fact]
    public void The_surface_holds_public_members_and_not_internal_ones()
    {
        var surface = Surface();

        // A public type and one of its members are listed; an internal type of the same assembly is not.
        Assert.Contains(surface, line => line.Contains("public interface IRoleMiningClient", StringComparison.Ordinal));
        Assert.Contains(surface, line => line.Contains("GetPotentialRoleIdentitiesAsync(", StringComparison.Ordinal));
        Assert.DoesNotContain(surface, line => line.Contains("SailPointTransport", StringComparison.Ordinal));

        // The registration extensions live in Microsoft.Extensions.DependencyInjection, by convention: they are listed too.
        Assert.Contains(surface, line => line.Contains("AddSailPointRoleMining(", StringComparison.Ordinal));
    }

    private static List<string> Surface() =>
        [.. typeof(IRoleMiningClient).Assembly
            .GeneratePublicApi(new ApiGeneratorOptions { IncludeAssemblyAttributes = false, DenyNamespacePrefixes = [] })
            .ReplaceLineEndings("\n")
            .Split('\n')
            .Select(line => line.TrimEnd())];
}
