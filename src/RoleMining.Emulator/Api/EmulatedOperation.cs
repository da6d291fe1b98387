namespace RoleMining.Emulator.Api;

/// <summary>Endpoint metadata: which spec operation a route emulates and which gates apply to it.</summary>
/// <param name="OperationId">The operationId as the version's spec names it (v1 ids end in <c>V1</c>).</param>
/// <param name="CanonicalOperationId">The operationId without the v1 suffix (see <see cref="OperationIds"/>).</param>
/// <param name="ApiVersion">One of <see cref="ApiVersions"/>, or empty for the token endpoint.</param>
/// <param name="RequiresExperimentalHeader">Whether the spec marks <c>X-SailPoint-Experimental</c> as required.</param>
/// <param name="Anonymous">True for the token endpoint: no bearer token, no rate limit.</param>
/// <param name="IsZipDownload">True for the zip downloads (truncation and corruption faults apply).</param>
internal sealed record EmulatedOperation(
    string OperationId,
    string CanonicalOperationId,
    string ApiVersion,
    bool RequiresExperimentalHeader,
    bool Anonymous = false,
    bool IsZipDownload = false)
{
    /// <summary>The operation of requests that match no route.</summary>
    public static EmulatedOperation Unknown { get; } = new("unknown", "unknown", "", RequiresExperimentalHeader: false);
}

/// <summary>Per-request state shared by the emulator's middleware.</summary>
internal sealed class EmulatorRequestFeature
{
    /// <summary>The client id of the request's token, once authenticated.</summary>
    public string? ClientId { get; set; }
}
