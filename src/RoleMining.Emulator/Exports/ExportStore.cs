using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace RoleMining.Emulator.Exports;

/// <summary>The spec's <c>RoleMiningPotentialRoleExportState</c> values.</summary>
public static class ExportStates
{
    public const string Queued = "QUEUED";
    public const string InProgress = "IN_PROGRESS";
    public const string Success = "SUCCESS";
    public const string Error = "ERROR";
}

/// <summary>An export-async job. Its state is not stored but computed from its age on the injected clock.</summary>
internal sealed record ExportJob(
    string ExportId,
    string SessionId,
    string PotentialRoleId,
    int MinEntitlementPopularity,
    bool IncludeCommonAccess,
    DateTimeOffset CreatedAt,
    bool EndsInError);

/// <summary>Keeps export-async jobs in memory for the server's lifetime.</summary>
internal sealed class ExportStore(TimeProvider timeProvider, IOptions<EmulatorOptions> options)
{
    private readonly ConcurrentDictionary<string, ExportJob> _jobs = new(StringComparer.OrdinalIgnoreCase);

    public ExportJob Create(string sessionId, string potentialRoleId, int minEntitlementPopularity, bool includeCommonAccess, bool endsInError)
    {
        var job = new ExportJob(
            Guid.NewGuid().ToString("D"), sessionId, potentialRoleId, minEntitlementPopularity, includeCommonAccess, timeProvider.GetUtcNow(), endsInError);
        _jobs[job.ExportId] = job;
        return job;
    }

    /// <summary>The job with <paramref name="exportId"/> if it belongs to that session and potential role.</summary>
    public ExportJob? Find(string sessionId, string potentialRoleId, string exportId) =>
        _jobs.TryGetValue(exportId, out var job)
        && string.Equals(job.SessionId, sessionId, StringComparison.OrdinalIgnoreCase)
        && string.Equals(job.PotentialRoleId, potentialRoleId, StringComparison.OrdinalIgnoreCase)
            ? job
            : null;

    /// <summary><c>QUEUED</c> for <see cref="EmulatorExportOptions.QueuedFor"/>, then <c>IN_PROGRESS</c> for
    /// <see cref="EmulatorExportOptions.InProgressFor"/>, then <c>SUCCESS</c> (or <c>ERROR</c>).</summary>
    public string StateOf(ExportJob job)
    {
        var exports = options.Value.Exports;
        var age = timeProvider.GetUtcNow() - job.CreatedAt;
        if (age < exports.QueuedFor)
        {
            return ExportStates.Queued;
        }

        if (age < exports.QueuedFor + exports.InProgressFor)
        {
            return ExportStates.InProgress;
        }

        return job.EndsInError ? ExportStates.Error : ExportStates.Success;
    }
}
