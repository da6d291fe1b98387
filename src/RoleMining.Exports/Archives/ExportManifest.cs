namespace RoleMining.Exports;

/// <summary>
/// <c>manifest.json</c>: what was exported, when, with which options, and every stored file with its size, row count and
/// SHA-256. It is published after every other file of the folder, so its presence means the folder is complete.
/// </summary>
public sealed record ExportManifest
{
    /// <summary>The current <see cref="SchemaVersion"/>.</summary>
    public const int CurrentSchemaVersion = 1;

    /// <summary>Version of this document's shape.</summary>
    public int SchemaVersion { get; init; } = CurrentSchemaVersion;

    /// <summary>The job.</summary>
    public required string JobId { get; init; }

    /// <summary>The role-mining session.</summary>
    public required string SessionId { get; init; }

    /// <summary>The potential role.</summary>
    public required string PotentialRoleId { get; init; }

    /// <summary>The export parameters.</summary>
    public required ExportRequestOptions Options { get; init; }

    /// <summary>SailPoint's export id.</summary>
    public required string ExportId { get; init; }

    /// <summary>When the job was created.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the export was started.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>When the files were stored.</summary>
    public DateTimeOffset CompletedAt { get; init; }

    /// <summary>The stored files: the zip first, then the CSV files.</summary>
    public required IReadOnlyList<ExportArtifact> Files { get; init; }
}
