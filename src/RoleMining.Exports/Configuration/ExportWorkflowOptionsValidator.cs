using Microsoft.Extensions.Options;

namespace RoleMining.Exports;

/// <summary>Checks what data annotations cannot: how the settings relate to each other.</summary>
public sealed class ExportWorkflowOptionsValidator : IValidateOptions<ExportWorkflowOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, ExportWorkflowOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.Polling is { } polling)
        {
            if (polling.InitialDelay > polling.MaxDelay)
            {
                failures.Add("Exports:Polling:InitialDelay must not exceed Exports:Polling:MaxDelay.");
            }

            if (polling.MaxDelay > polling.TotalWait)
            {
                failures.Add("Exports:Polling:MaxDelay must not exceed Exports:Polling:TotalWait.");
            }
        }

        if (options.RetryBaseDelay > options.RetryMaxDelay)
        {
            failures.Add("Exports:RetryBaseDelay must not exceed Exports:RetryMaxDelay.");
        }

        if (options.Archive is { } archive)
        {
            if (archive.MaxEntryBytes > archive.MaxTotalBytes)
            {
                failures.Add("Exports:Archive:MaxEntryBytes must not exceed Exports:Archive:MaxTotalBytes.");
            }

            var entries = archive.EffectiveExpectedEntries;
            foreach (var entry in entries)
            {
                if (!ExportJobIds.IsSafeSegment(entry)
                    || string.Equals(entry, ExportArtifactLayout.ZipFileName, StringComparison.OrdinalIgnoreCase)
                    || string.Equals(entry, ExportArtifactLayout.ManifestFileName, StringComparison.OrdinalIgnoreCase))
                {
                    failures.Add($"Exports:Archive:ExpectedEntries: '{entry}' is not a plain file name, or clashes with '{ExportArtifactLayout.ZipFileName}' or '{ExportArtifactLayout.ManifestFileName}'.");
                }
            }

            if (entries.Distinct(StringComparer.OrdinalIgnoreCase).Count() != entries.Count)
            {
                failures.Add("Exports:Archive:ExpectedEntries must not name an entry twice.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>Requires the filesystem folders when the filesystem stores are in use.</summary>
public sealed class ExportFileSystemOptionsValidator : IValidateOptions<ExportWorkflowOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, ExportWorkflowOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return string.IsNullOrWhiteSpace(options.FileSystem?.ArtifactRoot)
            ? ValidateOptionsResult.Fail("Exports:FileSystem:ArtifactRoot is required by the filesystem stores.")
            : ValidateOptionsResult.Success;
    }
}
