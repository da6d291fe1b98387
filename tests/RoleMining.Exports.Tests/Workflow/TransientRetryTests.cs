using System.Net;
using System.Net.Http;
using RoleMining.Emulator;
using RoleMining.Exports.Tests.Support;
using RoleMining.SailPoint;

namespace RoleMining.Exports.Tests.Workflow;

/// <summary>
/// A step that SailPoint fails for a passing reason (a 5xx, no answer, a download cut off) is sent again later with a
/// growing delay (<c>Exports:TransientRetry</c>) instead of failing its delivery: the Functions host redelivers a failed
/// message only a few times, 30 seconds apart, so an outage of minutes would otherwise fail every running export.
/// </summary>
public sealed class TransientRetryTests
{
    private static readonly TimeSpan InitialDelay = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task A_poll_that_meets_an_outage_waits_with_growing_delays_and_the_job_succeeds_once_SailPoint_is_back()
    {
        await using var harness = await WorkflowHarness.StartAsync(new HarnessSettings
        {
            SailPoint = options => options.Retry.MaxRetryAttempts = 0,
            Workflow = options =>
            {
                options.TransientRetry.InitialDelay = InitialDelay;
                options.TransientRetry.MaxDelay = TimeSpan.FromMinutes(1);
                options.TransientRetry.JitterRatio = 0.2;
            },
        });
        var role = harness.Emulator.CompletedRoles()[0];
        var job = (await harness.Host.Jobs.CreateAsync(new ExportJobRequest { SessionId = role.Session.Id, PotentialRoleId = role.Id })).Job;
        var started = await harness.Host.Workflow.HandleAsync(Assert.Single(harness.Host.Queue.Snapshot()), ExportDelivery.First);
        harness.Emulator.Faults.Routes[OperationIds.ExportRoleMiningPotentialRoleStatus] = new EmulatorRouteFaultOptions { ServerErrorShare = 1 };

        var first = await harness.Host.Workflow.HandleAsync(Assert.Single(started.Messages).Message, ExportDelivery.First);
        var second = await harness.Host.Workflow.HandleAsync(Assert.Single(first.Messages).Message, ExportDelivery.First);

        foreach (var (result, retry) in new[] { (first, 1), (second, 2) })
        {
            Assert.Equal(ExportStepOutcome.Rescheduled, result.Outcome);
            var waiting = result.Job!;
            Assert.Equal((ExportJobState.Polling, ExportStep.Poll), (waiting.State, waiting.NextStep));
            Assert.Equal(retry, waiting.TransientRetries);
            Assert.Null(waiting.Lease);
            Assert.Contains(waiting.LastSailPointError!.Status, new int?[] { 500, 502, 503 });
            var next = Assert.Single(result.Messages);
            Assert.Equal((ExportStep.Poll, waiting.Sequence), (next.Message.Step, next.Message.Sequence));
            var expected = InitialDelay * Math.Pow(2, retry - 1);
            Assert.InRange(next.Delay, expected * 0.8, expected * 1.2);
        }

        // SailPoint is back; the retry the workflow queued comes by itself (the earlier messages are stale by now).
        harness.Emulator.ClearFaults();
        await harness.Host.RunUntilIdleAsync();

        var done = await harness.Host.GetJobAsync(job.JobId);
        await harness.AssertSucceededAndCompleteAsync(done);
        Assert.Equal(0, done.TransientRetries);
        Assert.Equal(1, harness.Emulator.Statistics.ExportCreationsFor(role.Session.Id, role.Id));
    }

    [Fact]
    public async Task A_poll_refused_by_the_open_circuit_is_tried_again_once_the_break_is_over_not_sooner()
    {
        // Found by a chaos run of the CLI: a 10 s outage opened the 30 s circuit, and every retry (2, 4, 8 s later) was
        // refused by it without a call, so running exports failed while SailPoint had long been back.
        var breakDuration = TimeSpan.FromSeconds(20);
        await using var harness = await WorkflowHarness.StartAsync(new HarnessSettings
        {
            SailPoint = options =>
            {
                options.Retry.MaxRetryAttempts = 0;
                options.CircuitBreaker.MinimumThroughput = 2;
                options.CircuitBreaker.FailureRatio = 0.5;
                options.CircuitBreaker.BreakDuration = breakDuration;
            },
            Workflow = options =>
            {
                options.TransientRetry.InitialDelay = InitialDelay;
                options.TransientRetry.MaxDelay = TimeSpan.FromMinutes(1);
                options.TransientRetry.JitterRatio = 0.2;
            },
        });
        var role = harness.Emulator.CompletedRoles()[0];
        await harness.Host.Jobs.CreateAsync(new ExportJobRequest { SessionId = role.Session.Id, PotentialRoleId = role.Id });
        var started = await harness.Host.Workflow.HandleAsync(Assert.Single(harness.Host.Queue.Snapshot()), ExportDelivery.First);
        harness.Emulator.Faults.Routes[OperationIds.ExportRoleMiningPotentialRoleStatus] = new EmulatorRouteFaultOptions { ServerErrorShare = 1 };

        // Two failed polls open the circuit; the third is refused by it.
        var first = await harness.Host.Workflow.HandleAsync(Assert.Single(started.Messages).Message, ExportDelivery.First);
        var second = await harness.Host.Workflow.HandleAsync(Assert.Single(first.Messages).Message, ExportDelivery.First);
        var refusedAt = DateTimeOffset.UtcNow;
        var third = await harness.Host.Workflow.HandleAsync(Assert.Single(second.Messages).Message, ExportDelivery.First);

        Assert.Equal(ExportStepOutcome.Rescheduled, third.Outcome);
        Assert.True(third.Job!.LastSailPointError!.ViaOpenCircuit, third.Job.LastError);
        Assert.Equal(3, third.Job.TransientRetries);
        // The backoff alone would say 4 s (1 s doubled twice); the retry waits for what is left of the break, spread
        // upwards by the jitter.
        var delay = Assert.Single(third.Messages).Delay;
        var breakLeft = breakDuration - (DateTimeOffset.UtcNow - refusedAt) - TimeSpan.FromSeconds(1);
        Assert.InRange(delay, breakLeft, breakDuration * 1.2);
    }

    [Fact]
    public async Task A_download_cut_off_midway_is_tried_again_later_from_scratch_and_stores_the_zip_once()
    {
        var cuts = 1;
        await using var harness = await WorkflowHarness.StartAsync(new HarnessSettings
        {
            Client = inner => new HookedRoleMiningClient(inner)
            {
                WrapDownload = body => Interlocked.Decrement(ref cuts) >= 0
                    ? new TrippingStream(body, 100, () => throw new HttpIOException(HttpRequestError.ResponseEnded, "The response ended prematurely."))
                    : body,
            },
            // No redelivery of a failed step: only the retry later can carry the job.
            Workflow = options => options.MaxAttempts = 1,
        });
        var role = harness.Emulator.CompletedRoles()[0];

        var job = (await harness.Host.Jobs.CreateAsync(new ExportJobRequest { SessionId = role.Session.Id, PotentialRoleId = role.Id })).Job;
        await harness.Host.RunUntilIdleAsync();

        var done = await harness.Host.GetJobAsync(job.JobId);
        var stored = await harness.AssertSucceededAndCompleteAsync(done);
        Assert.Equal(await harness.DirectDownloadAsync(done.SessionId, done.PotentialRoleId, done.ExportId!), stored);
        Assert.Equal(1, harness.Emulator.Statistics.ExportCreationsFor(role.Session.Id, role.Id));
        Assert.Equal(-1, cuts);
    }
    [Fact]
    public async Task A_download_that_fails_deletes_only_its_own_attempts_staging_not_another_owners()
    {
        var cuts = 1;
        string? planted = null;
        TemporaryDirectory? root = null;
        HookedArtifactStore? artifacts = null;
        await using var harness = await WorkflowHarness.StartAsync(new HarnessSettings
        {
            Client = inner => new HookedRoleMiningClient(inner)
            {
                // The first download breaks; meanwhile another owner (after a lost lease) has begun staging.
                WrapDownload = body => Interlocked.Decrement(ref cuts) >= 0
                    ? new TrippingStream(body, 100, () =>
                    {
                        var file = Path.Combine(root!.Path, planted!);
                        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
                        File.WriteAllBytes(file, new byte[10]);
                        throw new HttpIOException(HttpRequestError.ResponseEnded, "The response ended prematurely.");
                    })
                    : body,
            },
            Artifacts = inner => artifacts = new HookedArtifactStore(inner),
        });
        root = harness.Root;
        _ = harness.Host.Services.GetService(typeof(IExportArtifactStore));
        var role = harness.Emulator.CompletedRoles()[0];

        var job = (await harness.Host.Jobs.CreateAsync(new ExportJobRequest { SessionId = role.Session.Id, PotentialRoleId = role.Id })).Job;
        planted = ExportArtifactLayout.StagingPath(job, "another-owner", ExportArtifactLayout.ZipFileName);
        await harness.Host.RunUntilIdleAsync();

        await harness.AssertSucceededAndCompleteAsync(await harness.Host.GetJobAsync(job.JobId));
        // The failed attempt left the other attempt's file alone; it went only with the next attempt's cleanup of dead
        // attempts, which begins by looking for a manifest.
        var events = artifacts!.Events.ToList();
        var attemptStarts = events.Select((item, index) => (item, index)).Where(e => e.item.StartsWith("read:", StringComparison.Ordinal) && e.item.EndsWith("/" + ExportArtifactLayout.ManifestFileName, StringComparison.Ordinal)).Select(e => e.index).ToList();
        Assert.True(attemptStarts.Count >= 2, string.Join('\n', events));
        Assert.True(events.IndexOf("delete:" + planted) > attemptStarts[1], string.Join('\n', events));
        Assert.Equal(-1, cuts);
    }

    public static TheoryData<string, bool> Failures() => new()
    {
        { "SailPoint answered 503", true },
        { "SailPoint answered 429", true },
        { "SailPoint answered 404", false },
        { "SailPoint could not be reached", true },
        { "the circuit is open", true },
        { "the host name does not resolve", false },
        { "the token endpoint refused the credentials", false },
        { "the download's connection broke", true },
        { "the zip was cut short", true },
        { "the zip has an unsafe entry", false },
        { "the disk is full", false },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public void Only_failures_that_pass_are_retried_later(string failure, bool transient)
    {
        static SailPointException SailPoint(SailPointErrorKind kind, HttpStatusCode? status = null, Exception? inner = null) =>
            new(new SailPointErrorDetails { OperationId = "op", Kind = kind, Status = status }, inner);
        Exception exception = failure switch
        {
            "SailPoint answered 503" => SailPoint(SailPointErrorKind.Service, HttpStatusCode.ServiceUnavailable),
            "SailPoint answered 429" => SailPoint(SailPointErrorKind.Service, HttpStatusCode.TooManyRequests),
            "SailPoint answered 404" => SailPoint(SailPointErrorKind.Service, HttpStatusCode.NotFound),
            "SailPoint could not be reached" => SailPoint(SailPointErrorKind.Transport, inner: new HttpRequestException(HttpRequestError.ConnectionError, "refused")),
            "the circuit is open" => SailPoint(SailPointErrorKind.CircuitOpen),
            "the host name does not resolve" => SailPoint(SailPointErrorKind.Transport, inner: new HttpRequestException(HttpRequestError.NameResolutionError, "Name or service not known")),
            "the token endpoint refused the credentials" => SailPoint(SailPointErrorKind.Authentication, HttpStatusCode.Unauthorized),
            "the download's connection broke" => new HttpIOException(HttpRequestError.ResponseEnded, "reset"),
            "the zip was cut short" => new InvalidExportArchiveException(ExportArchiveProblem.Truncated, null, "truncated"),
            "the zip has an unsafe entry" => new InvalidExportArchiveException(ExportArchiveProblem.UnsafeEntryName, "../x", "unsafe"),
            _ => new IOException("No space left on device", 28),
        };

        Assert.Equal(transient, ExportStepBase.IsTransient(exception));
    }

    [Fact]
    public async Task A_zip_cut_short_is_downloaded_again_later_and_stored_whole()
    {
        var cuts = 1;
        await using var harness = await WorkflowHarness.StartAsync(new HarnessSettings
        {
            Emulator = options => options.Exports.Compression = System.IO.Compression.CompressionLevel.NoCompression,
            Client = inner => new HookedRoleMiningClient(inner)
            {
                RewriteZip = zip => Interlocked.Decrement(ref cuts) >= 0 ? zip[..(zip.Length / 2)] : zip,
            },
            Workflow = options => options.MaxAttempts = 1,
        });
        var role = harness.Emulator.CompletedRoles()[0];

        var job = (await harness.Host.Jobs.CreateAsync(new ExportJobRequest { SessionId = role.Session.Id, PotentialRoleId = role.Id })).Job;
        await harness.Host.RunUntilIdleAsync();

        var done = await harness.Host.GetJobAsync(job.JobId);
        Assert.Equal(await harness.DirectDownloadAsync(done.SessionId, done.PotentialRoleId, done.ExportId!), await harness.AssertSucceededAndCompleteAsync(done));
        Assert.Equal(-1, cuts);
    }
}
