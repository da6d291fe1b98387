namespace RoleMining.Exports;

/// <summary>One stored file of a finished export.</summary>
public sealed record ExportArtifact
{
    /// <summary>The file name (<c>export.zip</c>, <c>identities.csv</c>, ...).</summary>
    public required string Name { get; init; }

    /// <summary>The path in the artifact store, <c>{sessionId}/{potentialRoleId}/{jobId}/{name}</c>.</summary>
    public required string Path { get; init; }

    /// <summary>Size in bytes.</summary>
    public required long Size { get; init; }

    /// <summary>SHA-256 of the content, lowercase hex.</summary>
    public required string Sha256 { get; init; }

    /// <summary>Data rows of a CSV file (the header row not counted); null for the zip.</summary>
    public long? RowCount { get; init; }
}
