using RoleMining.SailPoint;

namespace RoleMining.Exports;

/// <summary>
/// What to do about a step given up after repeated failures, read from what failed last: the same advice whether the
/// step was given up as poison (<see cref="ExportWorkflow"/>) or at its claim cap (<see cref="ExportStepBase"/>).
/// </summary>
internal static class RepeatedFailureAdvice
{
    /// <param name="job">The job as its last failure left it (<see cref="ExportJob.LastSailPointError"/>).</param>
    /// <param name="step">The step given up.</param>
    /// <param name="lastError">The last failure's description, which starts with the exception's type name
    /// (<see cref="ExportStepBase.Describe"/>).</param>
    public static string For(ExportJob job, ExportStep step, string lastError) => job.LastSailPointError switch
    {
        // The token endpoint refused the credentials (its 5xx are passing and retried as such): no wait helps.
        { Kind: SailPointErrorKind.Authentication, Status: 400 or 401 or 403 } =>
            "SailPoint refused the client credentials: check SailPoint:ClientId and SailPoint:ClientSecret (SAIL_CLIENT_ID and SAIL_CLIENT_SECRET for the rolemining CLI; in Azure, the client id parameter and the secret in Key Vault), then export again.",
        not null => "Check that SailPoint is reachable and the credentials are valid, then export again.",
        // Cut short or damaged on every try: the zip SailPoint serves, not the network of one attempt.
        _ when lastError.StartsWith(nameof(InvalidExportArchiveException), StringComparison.Ordinal) =>
            "Every download of the export arrived damaged: export again (a new SailPoint export), and if that fails too, ask SailPoint support about the export.",
        // The body's connection broke or went silent (IdleTimeoutReadStream): the network or SailPoint.
        _ when lastError.StartsWith(nameof(System.Net.Http.HttpIOException), StringComparison.Ordinal) =>
            "The download's connection kept breaking or going silent: check that SailPoint is reachable from here (a proxy or firewall may cut long downloads), then export again.",
        // A download writes as much as it reads: without an error from SailPoint or its connection, the store is the suspect.
        _ when step == ExportStep.Download => "Check that the export folder (or storage) can be written, then export again.",
        _ => "Check that the job store can be written and that SailPoint is reachable, then export again.",
    };

    /// <summary>What to do about a step whose runs never ended (each timed out, was stopped or died with its process).</summary>
    public static string ForUnfinishedRuns(ExportStep step) => step == ExportStep.Download
        ? "In the Functions app, a download that needs longer than functionTimeout (host.json) cannot finish: raise it, or check that SailPoint and the storage answer promptly, then export again."
        : "Check that SailPoint answers promptly, then start a new export job.";
}
