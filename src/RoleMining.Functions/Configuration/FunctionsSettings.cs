namespace RoleMining.Functions.Configuration;

/// <summary>
/// Names the Functions app shares with the infrastructure: setting keys, binding expressions and blob containers.
/// infra/ (Bicep), host.json and local.settings.sample.json must use the same names; tests/RoleMining.Infrastructure.Tests
/// compiles this file and checks them against each other. Kept free of Azure Functions and Azure Storage types for that.
/// </summary>
public static class FunctionsSettings
{
    /// <summary>
    /// The storage connection of the host and of the app's own Blob and Queue clients: a connection string locally
    /// (<c>UseDevelopmentStorage=true</c>), identity-based settings (<c>AzureWebJobsStorage__blobServiceUri</c>, ...) in Azure.
    /// </summary>
    public const string StorageConnection = "AzureWebJobsStorage";

    /// <summary>
    /// The setting that holds the NCRONTAB schedule of the export sweep. Its name has no <c>:</c> and no <c>__</c>, so the
    /// app setting, the environment variable and the name the host and the scale controller resolve are one and the same:
    /// nothing depends on translating <c>__</c> to <c>:</c> for an idle Flex Consumption app. (Until this version it was
    /// <c>RoleMining__Schedule</c>; rename it in a local.settings.json of your own.)
    /// </summary>
    public const string ScheduleSetting = "RoleMining_Schedule";

    /// <summary>The timer trigger's binding expression; the host resolves it from <see cref="ScheduleSetting"/>.</summary>
    public const string ScheduleExpression = "%RoleMining_Schedule%";

    /// <summary>The nightly default of <see cref="ScheduleSetting"/>: 02:00 UTC (six-field NCRONTAB, seconds first).</summary>
    public const string DefaultSchedule = "0 0 2 * * *";

    /// <summary>The setting that holds the NCRONTAB schedule of the resume of stalled jobs.</summary>
    public const string ResumeScheduleSetting = "RoleMining_ResumeSchedule";

    /// <summary>The resume timer's binding expression; the host resolves it from <see cref="ResumeScheduleSetting"/>.</summary>
    public const string ResumeScheduleExpression = "%RoleMining_ResumeSchedule%";

    /// <summary>
    /// The default of <see cref="ResumeScheduleSetting"/>: every 30 seconds, so that a job whose instance died is resumed
    /// within a lease duration plus 30 seconds (with the default one-minute lease, within two minutes of the death).
    /// </summary>
    public const string DefaultResumeSchedule = "*/30 * * * * *";

    /// <summary>Blob container of the export artifacts (<c>{sessionId}/{potentialRoleId}/{jobId}/...</c>).</summary>
    public const string ArtifactContainer = "role-mining-exports";

    /// <summary>Blob container of the job documents (<c>{jobId}.json</c>).</summary>
    public const string JobContainer = "role-mining-jobs";

    /// <summary>Blob container of the SailPoint request budget every instance shares (<c>{budget id}.json</c>).</summary>
    public const string RateBudgetContainer = "role-mining-rate-budget";
}
