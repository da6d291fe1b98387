using RoleMining.Emulator.ContractTests.Spec;
using RoleMining.Emulator.ContractTests.TestSupport;

namespace RoleMining.Emulator.ContractTests.Live;

/// <summary>
/// The spec operations the emulator must serve, named by operationId (v1 appends "V1"). Theory data is built
/// from the spec's operations, so each case carries the spec's own name and an unserved route fails by name.
/// </summary>
public static class EmulatedOperations
{
    public static IReadOnlyList<string> BaseOperationIds { get; } =
    [
        "getRoleMiningSessions",
        "getRoleMiningSession",
        "getRoleMiningSessionStatus",
        "getPotentialRoleSummaries",
        "getPotentialRole",                      // a potential role (summary) within a session
        "getRoleMiningPotentialRole",            // a potential role by id alone
        "getIdentitiesPotentialRole",
        "getEntitlementsPotentialRole",          // .../entitlement-popularities
        "exportRoleMiningPotentialRole",         // synchronous zip
        "exportRoleMiningPotentialRoleAsync",
        "exportRoleMiningPotentialRoleStatus",
        "downloadRoleMiningPotentialRoleZip",
    ];

    /// <summary>Every emulated operation of every version.</summary>
    public static IEnumerable<SpecOperation> All(SpecCatalog catalog) =>
        ApiVersion.All.SelectMany(version => catalog.Operations(version)
            .Where(o => BaseOperationIds.Contains(o.BaseOperationId))
            .OrderBy(o => BaseOperationIds.ToList().IndexOf(o.BaseOperationId)));

    /// <summary>Case name of an operation: "v2024 getRoleMiningSession", "v1 getRoleMiningSessionV1".</summary>
    public static string CaseName(SpecOperation operation) => $"{operation.Version.Name} {operation.OperationId}";

    /// <summary>Finds the operation a case name stands for.</summary>
    public static SpecOperation Find(SpecCatalog catalog, string caseName)
    {
        var parts = caseName.Split(' ');
        var version = ApiVersion.Parse(parts[0]);
        return catalog.Operations(version).Single(o => o.OperationId == parts[1]);
    }

    public static TheoryData<NamedCase> Cases(Func<SpecOperation, bool>? filter = null) =>
        NamedCase.From(All(SpecCatalog.Instance).Where(filter ?? (_ => true)).Select(CaseName));
}
