namespace RoleMining.Emulator.ContractTests.Spec;

/// <summary>The upstream defects listed in spec/sailpoint/SOURCE.md that the loader works around.</summary>
public enum SpecDefectKind
{
    /// <summary>1. <c>X-SailPoint-Experimental</c> has <c>default: true</c>, a YAML boolean for a string schema; read as the text "true".</summary>
    BooleanDefaultForStringSchema,

    /// <summary>2. <c>PATCH /role-mining-potential-roles/{potentialRoleId}</c> declares a <c>sessionId</c> path parameter missing from its path; dropped.</summary>
    PathParameterNotInPath,

    /// <summary>3. <c>GET /role-mining-sessions/{sessionId}</c> maps 401 to <c>responses/400.yaml</c>; the loader uses that folder's <c>401.yaml</c>.</summary>
    ResponseFileForOtherStatus,
}

/// <summary>One place where the loader corrected a known upstream defect.</summary>
public sealed record SpecDefect(SpecDefectKind Kind, ApiVersion Version, string OperationId, string Detail)
{
    public override string ToString() => $"{Kind} in {Version.Name} {OperationId}: {Detail}";
}

// Defect 4 of SOURCE.md (the PATCH session request example shows `op: add` although only `replace` is
// supported) needs no workaround: the example still matches the JsonPatchOperation schema, and the
// emulator does not emulate PATCH.
