namespace RoleMining.Functions.EndToEndTests.Infrastructure;

/// <summary>
/// The test classes that run Functions hosts, one after the other: each host (and its worker) takes much of a small
/// machine's CPU while it starts, and the instance-death test measures a recovery time.
/// </summary>
[CollectionDefinition(Name)]
public sealed class FunctionsHostGroup
{
    public const string Name = "Functions hosts";
}
