using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using RoleMining.Validation;

namespace RoleMining.Exports;

/// <summary>Settings of the export workflow, bound from the configuration section <c>Exports</c> and validated at start-up.</summary>
public sealed class ExportWorkflowOptions
{
    /// <summary>The default configuration section.</summary>
    public const string SectionName = "Exports";

    /// <summary>
    /// The configuration section these options were read from (<see cref="SectionName"/> in the Functions app,
    /// <c>RoleMining:Exports</c> on the command line), so that a message names a setting as its host reads it. Set by
    /// <c>AddRoleMiningExports</c>; not a setting.
    /// </summary>
    public string SettingsSection { get; internal set; } = SectionName;

    /// <summary>The full key of <paramref name="key"/> (e.g. <c>Polling:TotalWait</c>) as the host reads it.</summary>
    internal string Setting(string key) => SettingsSection + ":" + key;

    /// <summary>How export status is polled.</summary>
    [Required]
    [ValidateObjectMembers]
    public ExportPollingOptions Polling { get; set; } = new();

    /// <summary>Limits the downloaded zip must respect, and the CSV files it must hold.</summary>
    [Required]
    [ValidateObjectMembers]
    public ExportArchiveOptions Archive { get; set; } = new();

    /// <summary>
    /// Deliveries of one message before it is poison and its job fails with the last error. The Functions host's
    /// <c>maxDequeueCount</c> (host.json) must be set to the same value. Also the most runs of one step at one stage of a
    /// job, counted across messages: runs that never end (timed out, stopped) fail the job when they reach it.
    /// </summary>
    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 5;

    /// <summary>First delay before the in-process driver retries a failed step; doubled each attempt, with jitter.</summary>
    [TimeSpanRange("00:00:00", "01:00:00")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The longest delay between retries of the in-process driver.</summary>
    [TimeSpanRange("00:00:00", "01:00:00")]
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long a claim on a job (while starting the export or downloading it) lasts unless renewed; a live step renews it
    /// every third of this. A crashed step's job is taken over once its lease ran out.
    /// </summary>
    [TimeSpanRange("00:00:00.100", "1.00:00:00")]
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>When a job counts as stalled and is resumed (the Functions app's resume timer).</summary>
    [Required]
    [ValidateObjectMembers]
    public ExportRecoveryOptions Recovery { get; set; } = new();

    /// <summary>What happens when the call that starts an export fails without a clear answer.</summary>
    [Required]
    [ValidateObjectMembers]
    public ExportUncertainStartOptions UncertainStart { get; set; } = new();

    /// <summary>
    /// How a step that SailPoint failed for a passing reason (no answer, an open circuit, 408, 429, a 5xx, a download cut
    /// off) is tried again: later, with a growing delay, so that an outage of up to about an hour does not fail running
    /// exports. Once these retries are spent the step fails like any other (redelivered up to <see cref="MaxAttempts"/>).
    /// </summary>
    [Required]
    [ValidateObjectMembers]
    public ExportTransientRetryOptions TransientRetry { get; set; } = new();

    /// <summary>Steps the in-process driver runs at once.</summary>
    [Range(1, 256)]
    public int MaxConcurrency { get; set; } = 4;

    /// <summary>How completion callbacks are retried.</summary>
    [Required]
    [ValidateObjectMembers]
    public ExportCallbackRetryOptions Callbacks { get; set; } = new();

    /// <summary>Where the filesystem stores keep their files (used when the filesystem stores are registered).</summary>
    [Required]
    public ExportFileSystemOptions FileSystem { get; set; } = new();
}

/// <summary>Retries of a completion callback: exponential backoff, a bounded number of attempts.</summary>
public sealed class ExportCallbackRetryOptions
{
    /// <summary>Attempts before the callback is given up (and shown as failed on the job).</summary>
    [Range(1, 50)]
    public int MaxAttempts { get; set; } = 8;

    /// <summary>Delay after the first failed attempt; doubled after each further one.</summary>
    [TimeSpanRange("00:00:00", "01:00:00")]
    public TimeSpan InitialDelay { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The longest delay between two attempts.</summary>
    [TimeSpanRange("00:00:00", "1.00:00:00")]
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>The delay after failed attempt number <paramref name="attempts"/> (1-based).</summary>
    public TimeSpan DelayAfter(int attempts)
    {
        var factor = Math.Pow(2, Math.Clamp(attempts - 1, 0, 30));
        var delay = TimeSpan.FromTicks((long)Math.Min(InitialDelay.Ticks * factor, MaxDelay.Ticks));
        return delay < InitialDelay ? InitialDelay : delay;
    }
}

/// <summary>Polling of export status: exponential backoff with jitter, within a total wait.</summary>
public sealed class ExportPollingOptions
{
    /// <summary>Delay before the first status poll, and the base of the backoff.</summary>
    [TimeSpanRange("00:00:00", "01:00:00")]
    public TimeSpan InitialDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The longest delay between two polls.</summary>
    [TimeSpanRange("00:00:00", "1.00:00:00")]
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long an export may stay <c>QUEUED</c> or <c>IN_PROGRESS</c> before its job fails.</summary>
    [TimeSpanRange("00:00:00.001", "7.00:00:00")]
    public TimeSpan TotalWait { get; set; } = TimeSpan.FromHours(2);

    /// <summary>Random share (0 to 1) by which each delay may be shortened or lengthened, so polls do not march in step.</summary>
    [Range(0d, 1d)]
    public double JitterRatio { get; set; } = 0.2;
}

/// <summary>
/// Recovery of jobs whose worker died (a killed or scaled-in instance keeps its queue messages invisible for up to ten
/// minutes): the Functions app's resume timer sends such a job's message again through the idempotent path.
/// </summary>
public sealed class ExportRecoveryOptions
{
    /// <summary>
    /// How long the message a job waits for may stay due without any step claiming it before the job counts as stalled;
    /// also the least time between two resumes of one job. A job whose step holds a lease is stalled as soon as the lease
    /// runs out (<see cref="ExportWorkflowOptions.LeaseDuration"/>), whatever this says.
    /// </summary>
    [TimeSpanRange("00:00:01", "1.00:00:00")]
    public TimeSpan StallTimeout { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>
/// Starts that fail without a clear answer (a 5xx or a broken connection on <c>export-async</c>): SailPoint may have
/// started the export, and its API offers no way to look exports up. Trying again later trades a rare orphaned
/// duplicate export in SailPoint (when the failed call had in fact been accepted) for an export the same day instead of
/// at the next nightly sweep. <see cref="MaxRetries"/> 0 never tries again: the job fails as <c>StartUncertain</c>.
/// </summary>
public sealed class ExportUncertainStartOptions
{
    /// <summary>How many times a job tries to start its export again after an uncertain start.</summary>
    [Range(0, 10)]
    public int MaxRetries { get; set; } = 2;

    /// <summary>The wait before the first retry; doubled for each further one.</summary>
    [TimeSpanRange("00:00:00", "1.00:00:00")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Random share (0 to 1) by which each wait may be shortened or lengthened, so retries do not come in a wave.</summary>
    [Range(0d, 1d)]
    public double JitterRatio { get; set; } = 0.2;
}

/// <summary>Retries of a step after SailPoint failed it for a passing reason (see <see cref="ExportWorkflowOptions.TransientRetry"/>).</summary>
public sealed class ExportTransientRetryOptions
{
    /// <summary>Retries in a row before the step fails like any other; any step that succeeds starts the count again.</summary>
    [Range(0, 50)]
    public int MaxRetries { get; set; } = 8;

    /// <summary>The wait before the first retry; doubled for each further one (30 s to 15 min: about an hour in all).</summary>
    [TimeSpanRange("00:00:00", "1.00:00:00")]
    public TimeSpan InitialDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest wait between two retries.</summary>
    [TimeSpanRange("00:00:00", "1.00:00:00")]
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Random share (0 to 1) by which each wait may be shortened or lengthened, so retries do not come in a wave.</summary>
    [Range(0d, 1d)]
    public double JitterRatio { get; set; } = 0.2;
}

/// <summary>What a downloaded export zip must look like; anything else is rejected before a byte is unpacked.</summary>
public sealed class ExportArchiveOptions
{
    /// <summary>The configuration section of these options, for messages (see <see cref="ExportWorkflowOptions.SettingsSection"/>).</summary>
    public string SettingsSection { get; internal set; } = ExportWorkflowOptions.SectionName + ":Archive";

    /// <summary>The full key of <paramref name="key"/> (e.g. <c>MaxEntryBytes</c>) as the host reads it.</summary>
    internal string Setting(string key) => SettingsSection + ":" + key;

    /// <summary>The CSV entries of the emulator and of ISC exports as documented.</summary>
    public static IReadOnlyList<string> DefaultExpectedEntries { get; } = ["identities.csv", "entitlements.csv"];

    /// <summary>
    /// The entry names the zip must hold, and nothing else. Empty means <see cref="DefaultExpectedEntries"/> (a default list
    /// here would be appended to, not replaced, by configuration binding).
    /// </summary>
#pragma warning disable CA2227 // Bound from configuration.
    public List<string> ExpectedEntries { get; set; } = [];
#pragma warning restore CA2227

    /// <summary>Largest uncompressed size of one entry.</summary>
    [Range(1L, long.MaxValue)]
    public long MaxEntryBytes { get; set; } = 4L * 1024 * 1024 * 1024;

    /// <summary>Largest uncompressed size of all entries together.</summary>
    [Range(1L, long.MaxValue)]
    public long MaxTotalBytes { get; set; } = 8L * 1024 * 1024 * 1024;

    /// <summary>Largest ratio of uncompressed to compressed size of an entry (a zip bomb reaches hundreds or more).</summary>
    [Range(1d, 100_000d)]
    public double MaxCompressionRatio { get; set; } = 200;

    /// <summary>Entries smaller than this (uncompressed) are not held to <see cref="MaxCompressionRatio"/>: tiny repetitive files compress very well.</summary>
    [Range(0L, long.MaxValue)]
    public long CompressionRatioThresholdBytes { get; set; } = 1024 * 1024;

    /// <summary>The expected entries in effect.</summary>
    public IReadOnlyList<string> EffectiveExpectedEntries => ExpectedEntries is { Count: > 0 } ? ExpectedEntries : DefaultExpectedEntries;
}

/// <summary>Folders of the filesystem stores.</summary>
public sealed class ExportFileSystemOptions
{
    /// <summary>Root of the artifact layout (<c>{sessionId}/{potentialRoleId}/{jobId}/...</c>).</summary>
    public string? ArtifactRoot { get; set; }

    /// <summary>Folder of the job documents; default <c>{ArtifactRoot}/.jobs</c>.</summary>
    public string? JobRoot { get; set; }

    /// <summary>
    /// The job store's <see cref="IExportJobStore.JobIdScope"/>: needed when its jobs write to an artifact store that other
    /// job stores write to as well (the command line sets it for a job folder whose artifacts go to a blob container).
    /// Unset: job ids depend on the idempotency key alone.
    /// </summary>
    public string? JobIdScope { get; set; }

    /// <summary>
    /// Who may read the files and folders the stores create on Unix (they hold identity names and e-mail addresses):
    /// <see cref="ExportFileAccess.Owner"/> (default, 600/700), <see cref="ExportFileAccess.Group"/> (640/750) or
    /// <see cref="ExportFileAccess.Everyone"/> (644/755); the process umask can narrow it further. Ignored on Windows,
    /// where files inherit the folder's access control list.
    /// </summary>
    public ExportFileAccess Access { get; set; } = ExportFileAccess.Owner;

    /// <summary>
    /// Whether the job folder in effect lies within the artifact folder (the default, <c>.jobs</c>): then a lock on the
    /// artifact folder covers the job documents too, and no other process works on them.
    /// </summary>
    public bool JobRootWithinArtifactRoot =>
        EffectiveJobRoot is { } jobs && !string.IsNullOrWhiteSpace(ArtifactRoot)
        && Path.GetFullPath(jobs).StartsWith(Path.TrimEndingDirectorySeparator(Path.GetFullPath(ArtifactRoot)) + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    /// <summary>The job folder in effect.</summary>
    public string? EffectiveJobRoot => !string.IsNullOrWhiteSpace(JobRoot)
        ? JobRoot
        : string.IsNullOrWhiteSpace(ArtifactRoot) ? null : Path.Combine(ArtifactRoot, ".jobs");
}
