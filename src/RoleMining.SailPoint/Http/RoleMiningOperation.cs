namespace RoleMining.SailPoint.Http;

/// <summary>One call of the role-mining API: what it is called in the spec, where it goes and whether it may be repeated.</summary>
internal sealed record RoleMiningOperation(
    string OperationId,
    HttpMethod Method,
    string RelativeUri,
    string ResourceType,
    string? ResourceId,
    bool SendsExperimentalHeader)
{
    /// <summary>GET may be sent again after any transient failure; anything else only when it provably did not arrive.</summary>
    public bool IsIdempotent => Method == HttpMethod.Get;
}
