using System.Runtime.CompilerServices;
using System.Text.Json;

namespace RoleMining.Exports;

/// <summary>
/// Reads finished exports from the artifact store the way every reader should: a folder counts only when its
/// <c>manifest.json</c> is there (it is published last), and the manifest says which files belong to it.
/// </summary>
public sealed class ExportArtifactCatalog
{
    private readonly IExportArtifactStore _artifacts;

    /// <summary>Creates the catalog.</summary>
    public ExportArtifactCatalog(IExportArtifactStore artifacts)
    {
        ArgumentNullException.ThrowIfNull(artifacts);
        _artifacts = artifacts;
    }

    /// <summary>Every complete export, optionally of one session (and one potential role).</summary>
    public async IAsyncEnumerable<ExportManifest> ListCompletedAsync(string? sessionId = null, string? potentialRoleId = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (potentialRoleId is not null && sessionId is null)
        {
            throw new ArgumentException("A potential role is only found within its session.", nameof(potentialRoleId));
        }

        if (sessionId is not null)
        {
            ExportJobIds.ThrowIfUnsafe(sessionId, nameof(sessionId));
        }

        if (potentialRoleId is not null)
        {
            ExportJobIds.ThrowIfUnsafe(potentialRoleId, nameof(potentialRoleId));
        }

        var prefix = sessionId is null ? string.Empty : potentialRoleId is null ? sessionId + "/" : $"{sessionId}/{potentialRoleId}/";
        await foreach (var item in _artifacts.ListAsync(prefix, cancellationToken).ConfigureAwait(false))
        {
            if (ExportArtifactLayout.IsStagingPath(item.Path)
                || !item.Path.EndsWith("/" + ExportArtifactLayout.ManifestFileName, StringComparison.Ordinal)
                || item.Path.Count(character => character == '/') != 3)
            {
                continue;
            }

            if (await ReadAsync(item.Path, cancellationToken).ConfigureAwait(false) is { } manifest)
            {
                yield return manifest;
            }
        }
    }

    /// <summary>The manifest of a job's folder; null while the folder is incomplete (or absent).</summary>
    public Task<ExportManifest?> GetManifestAsync(ExportJob job, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(job);
        return ReadAsync(ExportArtifactLayout.FilePath(job, ExportArtifactLayout.ManifestFileName), cancellationToken);
    }

    private async Task<ExportManifest?> ReadAsync(string path, CancellationToken cancellationToken)
    {
        var stream = await _artifacts.OpenReadAsync(path, cancellationToken).ConfigureAwait(false);
        if (stream is null)
        {
            return null;
        }

        await using (stream.ConfigureAwait(false))
        {
            try
            {
                return await ExportsJson.DeserializeManifestAsync(stream, cancellationToken).ConfigureAwait(false);
            }
            catch (JsonException)
            {
                return null;
            }
        }
    }
}
