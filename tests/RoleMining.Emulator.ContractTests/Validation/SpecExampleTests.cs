using RoleMining.Emulator.ContractTests.Spec;
using RoleMining.Emulator.ContractTests.TestSupport;

namespace RoleMining.Emulator.ContractTests.Validation;

/// <summary>Runs the validator over every example the spec files contain: a check of the validator and of the spec.</summary>
public sealed class SpecExampleTests
{
    private readonly SpecCatalog catalog = SpecCatalog.Instance;

    public static TheoryData<NamedCase> SpecFiles() => NamedCase.From(SpecExamples.SpecFiles(SpecCatalog.Instance.SpecFolder));

    [Theory]
    [MemberData(nameof(SpecFiles))]
    public void Examples_match_their_schema_except_the_known_defects(NamedCase file)
    {
        var validator = new SchemaValidator(catalog.Documents);
        var problems = new List<string>();
        foreach (var example in SpecExamples.InFile(catalog.Documents.Load(Path.Combine(catalog.SpecFolder, file.Name))))
        {
            var violations = validator.Validate(example.Example.Node, example.Schema);
            var knownDefect = KnownExampleDefects.Explain(example);
            if (knownDefect is null && violations.Count > 0)
            {
                problems.Add($"{example}: {string.Join(" | ", violations)}");
            }
            else if (knownDefect is not null && violations.Count == 0)
            {
                problems.Add($"{example}: listed as a known defect ({knownDefect}) but it validates; remove it from KnownExampleDefects");
            }
        }

        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Fact]
    public void The_spec_has_examples_to_check_and_the_known_defects_are_found_in_every_version()
    {
        var examples = SpecExamples.SpecFiles(catalog.SpecFolder)
            .SelectMany(f => SpecExamples.InFile(catalog.Documents.Load(Path.Combine(catalog.SpecFolder, f))))
            .ToList();
        var defectsPerFolder = examples
            .Where(e => KnownExampleDefects.Explain(e) is not null && !e.Owner.Has("in"))
            .GroupBy(e => Path.GetRelativePath(catalog.SpecFolder, e.Example.File).Split(Path.DirectorySeparatorChar)[0])
            .ToDictionary(g => g.Key, g => g.Count());

        Assert.True(examples.Count > 500, $"only {examples.Count} examples found; the walker misses some");
        Assert.Equal(7, defectsPerFolder["v2024"]);
        Assert.Equal(7, defectsPerFolder["v2025"]);
        Assert.Equal(7, defectsPerFolder["beta"]);
        Assert.Equal(7, defectsPerFolder["v1"]);
    }
}
