using Xunit.Abstractions;

namespace RoleMining.Emulator.ContractTests.TestSupport;

/// <summary>
/// Theory data that shows up under a readable name. xUnit cuts string arguments at 50 characters in
/// test names (spec file paths are longer); a serializable type printed by ToString keeps them whole,
/// and still lets each case be discovered, run and reported on its own.
/// </summary>
public sealed class NamedCase : IXunitSerializable
{
    [Obsolete("For the xUnit serializer only.")]
    public NamedCase()
    {
        Name = string.Empty;
    }

    public NamedCase(string name)
    {
        Name = name;
    }

    public string Name { get; private set; }

    public void Deserialize(IXunitSerializationInfo info) => Name = info.GetValue<string>(nameof(Name));

    public void Serialize(IXunitSerializationInfo info) => info.AddValue(nameof(Name), Name);

    public override string ToString() => Name;

    public static TheoryData<NamedCase> From(IEnumerable<string> names)
    {
        var data = new TheoryData<NamedCase>();
        foreach (var name in names)
        {
            data.Add(new NamedCase(name));
        }

        return data;
    }
}
