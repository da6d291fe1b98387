using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using RoleMining.Emulator;
using RoleMining.Exports.Tests.Support;
using RoleMining.SailPoint;

namespace RoleMining.Exports.Tests.Workflow;

/// <summary>Messages that keep failing, and the leases that keep two executions from doing the same work.</summary>
public sealed class PoisonAndLeaseTests
{
    [Fact]
    public async Task A_step_that_keeps_failing_ends_as_a_failed_job_with_its_last_error_after_max_attempts()
    {
        var statusCalls = 0;
        await using var harness = await WorkflowHarness.StartAsync(new HarnessSettings
        {
            // Two retries later for the passing failure (Exports:TransientRetry), then three deliveries that fail.
            Workflow = options =>
            {
                options.MaxAttempts = 3;
                options.TransientRetry.MaxRetries = 2;
            },
            Client = inner => new HookedRoleMiningClient(inner)
            {
                BeforeStatus = _ =>
                {
                    Interlocked.Increment(ref statusCalls);
                    throw new SailPointException(new SailPointErrorDetails
                    {
                        OperationId = "exportRoleMiningPotentialRoleStatus",
                        Kind = SailPointErrorKind.Service,
                        Status = HttpStatusCode.ServiceUnavailable,
                        Reason = "the tenant is down for maintenance",
                    });
                },
            },
        });
        var role = harness.Emulator.CompletedRoles()[0];

        var created = (await harness.Host.Jobs.CreateAsync(new ExportJobRequest { SessionId = role.Session.Id, PotentialRoleId = role.Id })).Job;
        await harness.Host.RunUntilIdleAsync();

        var job = await harness.Host.GetJobAsync(created.JobId);
        harness.AssertNothingStored(job);
        Assert.Equal(ExportFailureKind.RepeatedFailure, job.Failure!.Kind);
        Assert.Equal(ExportStep.Poll, job.Failure.Step);
        Assert.Contains("5 times", job.Failure.Reason, StringComparison.Ordinal);
        Assert.Contains("the tenant is down for maintenance", job.Failure.Reason, StringComparison.Ordinal);
        Assert.EndsWith("Check that SailPoint is reachable and the credentials are valid, then export again.", job.Failure.Reason, StringComparison.Ordinal);
        Assert.Equal(3, job.Attempts);
        Assert.Equal(2, job.TransientRetries);
        Assert.Equal(5, statusCalls);
    }

    /// <param name="atClaimCap">Given up as poison (deliveries counted) or at the claim cap (each run a new message, as a
    /// host that re-sends failed messages delivers them; every run failed, none hung).</param>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_start_refused_for_its_credentials_fails_the_job_saying_to_check_them(bool atClaimCap)
    {
        // A review against the Functions host saw such a job told to check "that SailPoint answers promptly".
        await using var harness = await WorkflowHarness.StartAsync(new HarnessSettings
        {
            SailPoint = options => options.ClientSecret = "not-the-secret",
            Workflow = options => options.MaxAttempts = 3,
        });
        var role = harness.Emulator.CompletedRoles()[0];
        var created = (await harness.Host.Jobs.CreateAsync(new ExportJobRequest { SessionId = role.Session.Id, PotentialRoleId = role.Id })).Job;

        if (atClaimCap)
        {
            var start = harness.Host.Queue.Snapshot().Single();
            for (var run = 1; run <= 3; run++)
            {
                await Assert.ThrowsAsync<SailPointException>(() => harness.Host.Workflow.HandleAsync(Copy(start), ExportDelivery.First));
            }

            Assert.Equal(ExportStepOutcome.Failed, (await harness.Host.Workflow.HandleAsync(Copy(start), ExportDelivery.First)).Outcome);
        }
        else
        {
            await harness.Host.RunUntilIdleAsync();
        }

        var job = await harness.Host.GetJobAsync(created.JobId);
        Assert.True(job.Failure is not null, $"{job.State}: {job.LastError}");
        Assert.Equal((ExportFailureKind.RepeatedFailure, ExportStep.Start), (job.Failure.Kind, job.Failure.Step));
        Assert.Equal(SailPointErrorKind.Authentication, job.Failure.SailPointError?.Kind);
        Assert.Contains(atClaimCap ? "begun 3 times and was given up: every one of those runs failed. Last error: " : "failed 3 times", job.Failure.Reason, StringComparison.Ordinal);
        // No run hung: the reason must not say that one did ("0 of those runs never ended (each timed out ...)").
        Assert.DoesNotContain("never ended", job.Failure.Reason, StringComparison.Ordinal);
        Assert.EndsWith("SailPoint refused the client credentials: check SailPoint:ClientId and SailPoint:ClientSecret (SAIL_CLIENT_ID and SAIL_CLIENT_SECRET for the rolemining CLI; in Azure, the client id parameter and the secret in Key Vault), then export again.", job.Failure.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-secret", job.Failure.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("every zip arrives cut short", "Every download of the export arrived damaged: export again (a new SailPoint export)")]
    [InlineData("the store refuses the writes", "Check that the export folder (or storage) can be written, then export again.")]
    [InlineData("every download is cut off", "The download's connection kept breaking or going silent: check that SailPoint is reachable from here")]
    public async Task A_download_given_up_after_repeated_failures_says_what_to_check_by_what_kept_failing(string cause, string advice)
    {
        // A chaos run found the store blamed for a zip SailPoint served damaged every time.
        await using var harness = await WorkflowHarness.StartAsync(new HarnessSettings
        {
            Emulator = options => options.Exports.Compression = System.IO.Compression.CompressionLevel.NoCompression,
            Client = inner => new HookedRoleMiningClient(inner)
            {
                RewriteZip = cause == "every zip arrives cut short" ? zip => zip[..(zip.Length / 2)] : null,
                WrapDownload = cause == "every download is cut off"
                    ? body => new TrippingStream(body, 100, () => throw new System.Net.Http.HttpIOException(System.Net.Http.HttpRequestError.ResponseEnded, "The response ended prematurely."))
                    : null,
            },
            Artifacts = inner => new HookedArtifactStore(inner)
            {
                FailWrites = _ => cause == "the store refuses the writes" ? new IOException("Permission denied") : null,
            },
            Workflow = options =>
            {
                options.MaxAttempts = 2;
                options.TransientRetry.MaxRetries = 1;
            },
        });
        var role = harness.Emulator.CompletedRoles()[0];

        var created = (await harness.Host.Jobs.CreateAsync(new ExportJobRequest { SessionId = role.Session.Id, PotentialRoleId = role.Id })).Job;
        await harness.Host.RunUntilIdleAsync();

        var job = await harness.Host.GetJobAsync(created.JobId);
        Assert.True(job.Failure is not null, $"{job.State}: {job.LastError}");
        Assert.Equal((ExportFailureKind.RepeatedFailure, ExportStep.Download), (job.Failure.Kind, job.Failure.Step));
        Assert.Contains(advice, job.Failure.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("the credentials are valid", job.Failure.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_poison_entry_point_fails_the_job_a_message_was_stuck_on()
    {
        await using var harness = await WorkflowHarness.StartAsync();
        var role = harness.Emulator.CompletedRoles()[0];
        var job = (await harness.Host.Jobs.CreateAsync(new ExportJobRequest { SessionId = role.Session.Id, PotentialRoleId = role.Id })).Job;
        var start = harness.Host.Queue.Snapshot().Single();

        var failed = await harness.Host.Workflow.HandlePoisonMessageAsync(start, "HttpRequestException: no route to host");

        Assert.Equal(ExportJobState.Failed, failed!.State);
        Assert.Equal(ExportFailureKind.RepeatedFailure, failed.Failure!.Kind);
        Assert.Contains("no route to host", failed.Failure.Reason, StringComparison.Ordinal);
        Assert.Equal(failed.Failure, (await harness.Host.GetJobAsync(job.JobId)).Failure);

        // The start message, delivered late, finds a final job and does nothing.
        var late = await harness.Host.Workflow.HandleAsync(start, ExportDelivery.First);
        Assert.Equal(ExportStepOutcome.Duplicate, late.Outcome);
        Assert.Equal(0, harness.Emulator.Statistics.RequestsFor(OperationIds.ExportRoleMiningPotentialRoleAsync));
    }

    [Fact]
    public async Task A_stale_poison_message_changes_nothing()
    {
        await using var harness = await WorkflowHarness.StartAsync();
        var role = harness.Emulator.CompletedRoles()[0];
        var job = (await harness.Host.Jobs.CreateAsync(new ExportJobRequest { SessionId = role.Session.Id, PotentialRoleId = role.Id })).Job;
        var start = harness.Host.Queue.Snapshot().Single();
        await harness.Host.RunUntilIdleAsync();
        var before = (await harness.Host.JobStore.GetAsync(job.JobId))!.ETag;

        var after = await harness.Host.Workflow.HandlePoisonMessageAsync(start, "whatever");

        Assert.Equal(ExportJobState.Succeeded, after!.State);
        Assert.Equal(before, (await harness.Host.JobStore.GetAsync(job.JobId))!.ETag);
        await harness.AssertSucceededAndCompleteAsync(after);
    }

    [Fact]
    public async Task A_delivery_past_the_max_attempts_is_handled_as_poison_without_calling_SailPoint()
    {
        await using var harness = await WorkflowHarness.StartAsync(new HarnessSettings { Workflow = options => options.MaxAttempts = 4 });
        var role = harness.Emulator.CompletedRoles()[0];
        await harness.Host.Jobs.CreateAsync(new ExportJobRequest { SessionId = role.Session.Id, PotentialRoleId = role.Id });
        var start = harness.Host.Queue.Snapshot().Single();

        var result = await harness.Host.Workflow.HandleAsync(start, new ExportDelivery(5));

        Assert.Equal(ExportStepOutcome.Failed, result.Outcome);
        Assert.Equal(ExportFailureKind.RepeatedFailure, result.Job!.Failure!.Kind);
        Assert.Equal(0, harness.Emulator.Statistics.RequestsFor(OperationIds.ExportRoleMiningPotentialRoleAsync));
    }

    [Fact]
    public async Task A_job_whose_claimer_died_is_taken_over_once_the_lease_ran_out()
    {
        await using var harness = await WorkflowHarness.StartAsync();
        var role = harness.Emulator.CompletedRoles()[0];
        var job = (await harness.Host.Jobs.CreateAsync(new ExportJobRequest { SessionId = role.Session.Id, PotentialRoleId = role.Id })).Job;
        var start = harness.Host.Queue.Snapshot().Single();
        await ClaimAsync(harness, job.JobId, expiresAt: DateTimeOffset.UtcNow - TimeSpan.FromSeconds(1));

        var result = await harness.Host.Workflow.HandleAsync(start, new ExportDelivery(2));

        Assert.Equal(ExportStepOutcome.Advanced, result.Outcome);
        Assert.Equal(1, harness.Emulator.Statistics.ExportCreationsFor(role.Session.Id, role.Id));
        await harness.Host.RunUntilIdleAsync();
        await harness.AssertSucceededAndCompleteAsync(await harness.Host.GetJobAsync(job.JobId));
    }

    [Fact]
    public async Task A_job_held_by_a_live_lease_defers_the_message_until_the_lease_runs_out()
    {
        await using var harness = await WorkflowHarness.StartAsync();
        var role = harness.Emulator.CompletedRoles()[0];
        var job = (await harness.Host.Jobs.CreateAsync(new ExportJobRequest { SessionId = role.Session.Id, PotentialRoleId = role.Id })).Job;
        var start = harness.Host.Queue.Snapshot().Single();
        var expiresAt = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(20);
        await ClaimAsync(harness, job.JobId, expiresAt);

        var result = await harness.Host.Workflow.HandleAsync(start, ExportDelivery.First);

        Assert.Equal(ExportStepOutcome.Deferred, result.Outcome);
        var deferred = Assert.Single(result.Messages);
        Assert.Equal(start, deferred.Message);
        Assert.InRange(deferred.Delay, TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(21));
        Assert.Equal(0, harness.Emulator.Statistics.RequestsFor(OperationIds.ExportRoleMiningPotentialRoleAsync));
    }

    [Fact]
    public async Task A_live_step_renews_its_lease_so_a_slow_download_is_not_taken_over()
    {
        var lease = TimeSpan.FromSeconds(1);
        var downloadStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var downloadMayGoOn = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var clock = new PausableClock();
        await using var harness = await WorkflowHarness.StartAsync(new HarnessSettings
        {
            Workflow = options => options.LeaseDuration = lease,
            Client = inner => new HookedRoleMiningClient(inner)
            {
                BeforeDownload = async token =>
                {
                    downloadStarted.TrySetResult();
                    await downloadMayGoOn.Task.WaitAsync(token);
                },
            },
            Time = clock,
        });
        var role = harness.Emulator.CompletedRoles()[0];
        var job = (await harness.Host.Jobs.CreateAsync(new ExportJobRequest { SessionId = role.Session.Id, PotentialRoleId = role.Id })).Job;
        var run = harness.Host.RunUntilIdleAsync();
        await downloadStarted.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var download = new ExportMessage
        {
            Step = ExportStep.Download,
            JobId = job.JobId,
            Sequence = (await harness.Host.GetJobAsync(job.JobId)).Sequence,
            MessageId = "duplicate-" + Guid.NewGuid().ToString("N"),
        };

        // Two lease durations into the download (the clock moves only while the lease is valid and waits for each renewal,
        // so a busy machine cannot decide the outcome), a copy of the download message finds the lease renewed, not expired.
        await clock.PauseAsync();
        ExportStepResult copy;
        try
        {
            var claimed = (await harness.Host.GetJobAsync(job.JobId)).Lease!;
            var held = claimed;
            while (clock.GetUtcNow() < claimed.ExpiresAt + lease)
            {
                held = await harness.AdvanceUntilRenewedAsync(clock, job.JobId, held);
            }

            copy = await harness.Host.Workflow.HandleAsync(download, ExportDelivery.First);
        }
        finally
        {
            clock.Resume();
            downloadMayGoOn.TrySetResult();
        }

        await run;

        Assert.Equal(ExportStepOutcome.Deferred, copy.Outcome);
        await harness.AssertSucceededAndCompleteAsync(await harness.Host.GetJobAsync(job.JobId));
        Assert.Equal(1, harness.Emulator.Statistics.RequestsFor(OperationIds.DownloadRoleMiningPotentialRoleZip));
    }

    [Fact]
    public async Task A_job_failing_behind_an_open_circuit_shows_the_SailPoint_error_that_opened_it()
    {
        await using var harness = await WorkflowHarness.StartAsync(new HarnessSettings
        {
            Emulator = options => options.Faults.Routes[OperationIds.ExportRoleMiningPotentialRoleStatus] = new EmulatorRouteFaultOptions { ServerErrorShare = 1 },
            SailPoint = options =>
            {
                options.Retry.MaxRetryAttempts = 0;
                // The start succeeds, the first poll fails: 1 of 2. The second poll fails too: 2 of 3, and the circuit opens.
                options.CircuitBreaker.MinimumThroughput = 3;
                options.CircuitBreaker.FailureRatio = 0.6;
                options.CircuitBreaker.BreakDuration = TimeSpan.FromMinutes(5);
            },
            // The circuit is the subject here, not the retries later (Exports:TransientRetry).
            Workflow = options =>
            {
                options.MaxAttempts = 4;
                options.TransientRetry.MaxRetries = 0;
            },
        });
        var role = harness.Emulator.CompletedRoles()[0];
        var job = (await harness.Host.Jobs.CreateAsync(new ExportJobRequest { SessionId = role.Session.Id, PotentialRoleId = role.Id })).Job;

        await harness.Host.RunUntilIdleAsync();

        // Two polls met 5xx and opened the circuit; the later attempts were refused by it without a call.
        Assert.Equal(2, harness.Emulator.Statistics.RequestsFor(OperationIds.ExportRoleMiningPotentialRoleStatus));
        var failed = await harness.Host.GetJobAsync(job.JobId);
        harness.AssertNothingStored(failed);
        var failure = failed.Failure!;
        Assert.Equal(ExportFailureKind.RepeatedFailure, failure.Kind);
        Assert.Equal(ExportStep.Poll, failure.Step);
        var cause = Assert.IsType<ExportSailPointError>(failure.SailPointError);
        Assert.True(cause.ViaOpenCircuit);
        Assert.Equal(OperationIds.ExportRoleMiningPotentialRoleStatus, cause.OperationId);
        Assert.Contains(cause.Status, new int?[] { 500, 502, 503 });
        Assert.Matches("^[0-9a-f]{32}$", cause.TrackingId);
        Assert.StartsWith(cause.Status + ".0 ", cause.DetailCode, StringComparison.Ordinal);
        Assert.Contains("circuit breaker is open", failure.Reason, StringComparison.Ordinal);
        Assert.Contains($"HTTP {cause.Status}", failure.Reason, StringComparison.Ordinal);
        Assert.Contains($"trackingId {cause.TrackingId}", failure.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_download_whose_runs_never_end_is_given_up_after_max_attempts_runs_however_its_messages_come_back()
    {
        var downloads = 0;
        await using var harness = await WorkflowHarness.StartAsync(new HarnessSettings
        {
            Workflow = options => options.MaxAttempts = 3,
            Client = inner => new HookedRoleMiningClient(inner)
            {
                // Each download hangs until its run is stopped, as one longer than the function timeout does.
                BeforeDownload = async token =>
                {
                    Interlocked.Increment(ref downloads);
                    await Task.Delay(Timeout.InfiniteTimeSpan, token);
                },
            },
        });
        var role = harness.Emulator.CompletedRoles()[0];
        var job = (await harness.Host.Jobs.CreateAsync(new ExportJobRequest { SessionId = role.Session.Id, PotentialRoleId = role.Id })).Job;
        var download = await DriveToDownloadAsync(harness, harness.Host.Queue.Snapshot().Single());

        for (var run = 1; run <= 3; run++)
        {
            // The host stops the run (timeout); the message comes back as a new one (deferred or resumed), first delivery.
            using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => harness.Host.Workflow.HandleAsync(Copy(download), ExportDelivery.First, timeout.Token));
            var held = await harness.Host.GetJobAsync(job.JobId);
            Assert.Equal((ExportJobState.Downloading, 0, run), (held.State, held.Attempts, held.Claims));
            // A stopped run gives its lease back: the message that comes back claims the job at once.
            Assert.Null(held.Lease);
        }

        // What a run killed outright leaves behind.
        var folder = Path.Combine(harness.Root.Path, job.SessionId, job.PotentialRoleId, job.JobId);
        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, "identities.csv.staging"), "half a file");

        // Bounded, so that a run which is not given up fails the test instead of hanging it.
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var last = await harness.Host.Workflow.HandleAsync(Copy(download), ExportDelivery.First, bound.Token);

        Assert.Equal(ExportStepOutcome.Failed, last.Outcome);
        var failed = await harness.Host.GetJobAsync(job.JobId);
        harness.AssertNothingStored(failed);
        Assert.Equal((ExportFailureKind.RepeatedFailure, ExportStep.Download), (failed.Failure!.Kind, failed.Failure.Step));
        Assert.Contains("begun 3 times", failed.Failure.Reason, StringComparison.Ordinal);
        Assert.Contains("3 of those runs never ended", failed.Failure.Reason, StringComparison.Ordinal);
        // Every run hung: there are no others that failed.
        Assert.DoesNotContain("the others failed", failed.Failure.Reason, StringComparison.Ordinal);
        Assert.Contains("functionTimeout", failed.Failure.Reason, StringComparison.Ordinal);
        Assert.Null(failed.Lease);
        Assert.Equal(3, downloads);
    }

    [Fact]
    public async Task A_download_given_up_at_the_claim_cap_does_not_blame_a_SailPoint_error_an_earlier_step_got_past()
    {
        // The start is refused once for its credentials (fixed before its next delivery) and then goes through; every run
        // of the download hangs. The download's failure has no SailPoint error behind it, and the start's refusal must not
        // be reported (failure.sailPointError) or advised on as if it had been.
        var starts = 0;
        await using var harness = await WorkflowHarness.StartAsync(new HarnessSettings
        {
            Workflow = options => options.MaxAttempts = 3,
            Client = inner => new HookedRoleMiningClient(inner)
            {
                BeforeStart = _ => Interlocked.Increment(ref starts) == 1
                    ? throw new SailPointException(new SailPointErrorDetails
                    {
                        OperationId = "exportRoleMiningPotentialRoleAsync",
                        Kind = SailPointErrorKind.Authentication,
                        Status = HttpStatusCode.Unauthorized,
                        Reason = "invalid_client",
                    })
                    : Task.CompletedTask,
                BeforeDownload = token => Task.Delay(Timeout.InfiniteTimeSpan, token),
            },
        });
        var role = harness.Emulator.CompletedRoles()[0];
        var job = (await harness.Host.Jobs.CreateAsync(new ExportJobRequest { SessionId = role.Session.Id, PotentialRoleId = role.Id })).Job;
        var start = harness.Host.Queue.Snapshot().Single();
        await Assert.ThrowsAsync<SailPointException>(() => harness.Host.Workflow.HandleAsync(start, ExportDelivery.First));
        Assert.Equal(SailPointErrorKind.Authentication, (await harness.Host.GetJobAsync(job.JobId)).LastSailPointError?.Kind);
        var download = await DriveToDownloadAsync(harness, start);

        for (var run = 1; run <= 3; run++)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => harness.Host.Workflow.HandleAsync(Copy(download), ExportDelivery.First, timeout.Token));
        }

        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        Assert.Equal(ExportStepOutcome.Failed, (await harness.Host.Workflow.HandleAsync(Copy(download), ExportDelivery.First, bound.Token)).Outcome);

        var failed = await harness.Host.GetJobAsync(job.JobId);
        Assert.Equal((ExportFailureKind.RepeatedFailure, ExportStep.Download), (failed.Failure!.Kind, failed.Failure.Step));
        Assert.Contains("3 of those runs never ended", failed.Failure.Reason, StringComparison.Ordinal);
        Assert.Null(failed.Failure.SailPointError);
        Assert.DoesNotContain("credentials", failed.Failure.Reason, StringComparison.Ordinal);
        Assert.Equal(2, starts);
    }

    [Fact]
    public async Task Runs_that_end_reset_the_claim_count_when_the_job_moves_on()
    {
        await using var harness = await WorkflowHarness.StartAsync(new HarnessSettings { Workflow = options => options.MaxAttempts = 1 });
        var role = harness.Emulator.CompletedRoles()[0];
        var job = (await harness.Host.Jobs.CreateAsync(new ExportJobRequest { SessionId = role.Session.Id, PotentialRoleId = role.Id })).Job;

        // Every stage is claimed once, polls perhaps several times (each poll a new stage): one run allowed each is enough.
        await harness.Host.RunUntilIdleAsync();

        await harness.AssertSucceededAndCompleteAsync(await harness.Host.GetJobAsync(job.JobId));
    }

    [Fact]
    public async Task A_poison_message_of_a_job_an_execution_holds_comes_back_when_the_lease_runs_out_instead_of_failing_it()
    {
        await using var harness = await WorkflowHarness.StartAsync();
        var role = harness.Emulator.CompletedRoles()[0];
        var job = (await harness.Host.Jobs.CreateAsync(new ExportJobRequest { SessionId = role.Session.Id, PotentialRoleId = role.Id })).Job;
        var start = harness.Host.Queue.Snapshot().Single();
        await ClaimAsync(harness, job.JobId, DateTimeOffset.UtcNow + TimeSpan.FromSeconds(20));
        var before = (await harness.Host.JobStore.GetAsync(job.JobId))!.ETag;

        var poisoned = await harness.Host.Workflow.HandleAsync(start, new ExportDelivery(harness.Host.Options.MaxAttempts + 1));

        Assert.Equal(ExportStepOutcome.Deferred, poisoned.Outcome);
        Assert.Equal(before, (await harness.Host.JobStore.GetAsync(job.JobId))!.ETag);
        // Not dropped: the holder may be the run that just failed without giving its lease back.
        Assert.Equal([start, start], harness.Host.Queue.Snapshot());

        // Once the holder is gone (its lease ran out), the poison message fails the job.
        await ExpireLeaseAsync(harness, job.JobId);
        var failed = await harness.Host.Workflow.HandlePoisonMessageAsync(start, "HttpRequestException: no route to host");
        Assert.Equal(ExportJobState.Failed, failed!.State);
    }

    [Fact]
    public async Task A_download_at_the_claim_cap_whose_last_run_published_its_manifest_is_finished_not_given_up()
    {
        await using var harness = await WorkflowHarness.StartAsync(new HarnessSettings { Workflow = options => options.MaxAttempts = 2 });
        var role = harness.Emulator.CompletedRoles()[0];
        var job = (await harness.Host.Jobs.CreateAsync(new ExportJobRequest { SessionId = role.Session.Id, PotentialRoleId = role.Id })).Job;
        var download = await DriveToDownloadAsync(harness, harness.Host.Queue.Snapshot().Single());
        var succeeded = await harness.Host.Workflow.HandleAsync(Copy(download), ExportDelivery.First);
        Assert.Equal(ExportStepOutcome.Succeeded, succeeded.Outcome);

        // As if that run had died after publishing the manifest, before the job was written, and once more before it.
        var stored = (await harness.Host.JobStore.GetAsync(job.JobId))!;
        var unfinished = stored.Job with
        {
            State = ExportJobState.Downloading,
            Sequence = download.Sequence,
            NextStep = ExportStep.Download,
            CompletedAt = null,
            Claims = 2,
            Lease = new ExportJobLease { LeaseId = "dead", ExpiresAt = DateTimeOffset.UtcNow - TimeSpan.FromSeconds(1) },
        };
        Assert.NotNull(await harness.Host.JobStore.TryReplaceAsync(unfinished, stored.ETag));

        var adopted = await harness.Host.Workflow.HandleAsync(Copy(download), ExportDelivery.First);

        Assert.Equal(ExportStepOutcome.Succeeded, adopted.Outcome);
        await harness.AssertSucceededAndCompleteAsync(await harness.Host.GetJobAsync(job.JobId));
    }

    [Fact]
    public async Task A_poison_callback_message_gives_the_callback_up_and_counts_it_for_the_alert()
    {
        await using var harness = await WorkflowHarness.StartAsync();
        using var callbacks = new MetricCollector<long>(harness.Host.Services.GetRequiredService<IMeterFactory>(), ExportsTelemetry.MeterName, ExportsTelemetry.CallbacksInstrument);
        var role = harness.Emulator.CompletedRoles()[0];
        var job = (await harness.Host.Jobs.CreateAsync(new ExportJobRequest { SessionId = role.Session.Id, PotentialRoleId = role.Id })).Job;
        await harness.Host.RunUntilIdleAsync();
        // As if the job had been started with a callback whose messages then kept failing in the store (the receiver's
        // refusals are the step's to retry).
        var stored = (await harness.Host.JobStore.GetAsync(job.JobId))!;
        var pending = stored.Job with { Callback = new ExportCallback { Name = "SailPointWorkflow", Attempts = 1 } };
        Assert.NotNull(await harness.Host.JobStore.TryReplaceAsync(pending, stored.ETag));
        var message = ExportMessage.Create(ExportStep.Callback, job.JobId, pending.Sequence, DateTimeOffset.UtcNow);

        var given = await harness.Host.Workflow.HandlePoisonMessageAsync(message, "IOException: the store went away");
        var again = await harness.Host.Workflow.HandlePoisonMessageAsync(message, "IOException: the store went away");

        Assert.Equal(ExportCallbackState.Failed, given!.Callback!.State);
        Assert.Contains("the store went away", given.Callback.LastError, StringComparison.Ordinal);
        Assert.Equal(ExportJobState.Succeeded, again!.State);
        // Counted once, though its poison message came twice.
        var counted = Assert.Single(callbacks.GetMeasurementSnapshot());
        Assert.Equal("failed", counted.Tags[ExportsTelemetry.OutcomeAttribute]);
        Assert.Equal("SailPointWorkflow", counted.Tags[ExportsTelemetry.CallbackAttribute]);
    }

    [Fact]
    public async Task A_poison_download_message_whose_run_died_after_publishing_the_manifest_finishes_the_job_instead_of_deleting_the_export()
    {
        // The run publishes the files and the manifest, then dies before it can mark the job; its message, out of
        // deliveries, reaches the poison handler once the lease has run out.
        await using var run = await CrashingRun.StartAsync((crash, _, artifacts) => artifacts.AfterPublish = (path, token) =>
            path.EndsWith("/" + ExportArtifactLayout.ManifestFileName, StringComparison.Ordinal) ? crash.Fire(token) : Task.CompletedTask);
        var crashed = await run.CrashAsync();
        Assert.Equal(ExportJobState.Downloading, crashed.State);
        var held = run.HeldMessage(crashed);
        await Task.Delay(run.LeaseDuration + TimeSpan.FromMilliseconds(200));
        var host = await run.StartSurvivorAsync();

        var poisoned = await host.Workflow.HandleAsync(held, new ExportDelivery(host.Options.MaxAttempts + 1));

        Assert.Equal(ExportStepOutcome.Succeeded, poisoned.Outcome);
        var job = await host.GetJobAsync(crashed.JobId);
        Assert.Equal(ExportJobState.Succeeded, job.State);
        Assert.Equal(crashed.Sequence + 1, job.Sequence);
        var stored = await run.Harness.AssertSucceededAndCompleteAsync(job);
        Assert.Equal(await run.Harness.DirectDownloadAsync(job.SessionId, job.PotentialRoleId, job.ExportId!), stored);

        // The same message again (the poison queue delivers at least once) changes nothing.
        var again = await host.Workflow.HandlePoisonMessageAsync(held, "the host died");
        Assert.Equal(ExportJobState.Succeeded, again!.State);
        Assert.Equal(job.Sequence, again.Sequence);
    }

    [Fact]
    public async Task A_poison_download_message_fails_its_job_even_when_the_store_cannot_be_read_and_leaves_its_files()
    {
        var refuse = false;
        await using var harness = await WorkflowHarness.StartAsync(new HarnessSettings
        {
            Artifacts = inner => new HookedArtifactStore(inner)
            {
                BeforeRead = (path, _) => refuse ? throw new UnauthorizedAccessException($"Access to the path '{path}' is denied.") : Task.CompletedTask,
            },
        });
        _ = harness.Host.Services.GetService(typeof(IExportArtifactStore));
        var role = harness.Emulator.CompletedRoles()[0];
        var job = (await harness.Host.Jobs.CreateAsync(new ExportJobRequest { SessionId = role.Session.Id, PotentialRoleId = role.Id })).Job;
        var download = await DriveToDownloadAsync(harness, harness.Host.Queue.Snapshot().Single());
        var leftover = harness.Root.Combine(ExportArtifactLayout.StagingPath(job, "dead-attempt", ExportArtifactLayout.ZipFileName));
        Directory.CreateDirectory(Path.GetDirectoryName(leftover)!);
        await File.WriteAllTextAsync(leftover, "partial");
        refuse = true;

        // The download kept failing because the store refuses, and its message reached the poison handler.
        var poisoned = await harness.Host.Workflow.HandlePoisonMessageAsync(download, "UnauthorizedAccessException: denied");

        Assert.Equal(ExportJobState.Failed, poisoned!.State);
        Assert.Equal(ExportFailureKind.RepeatedFailure, poisoned.Failure!.Kind);
        // Whether a complete export was there could not be read: nothing is deleted on a guess.
        Assert.True(File.Exists(leftover));
    }

    /// <summary>Handles the start message and the polls until the job waits for its download; returns that message.</summary>
    private static async Task<ExportMessage> DriveToDownloadAsync(WorkflowHarness harness, ExportMessage start)
    {
        var message = start;
        for (var step = 0; step < 100; step++)
        {
            var result = await harness.Host.Workflow.HandleAsync(message, ExportDelivery.First);
            message = Assert.Single(result.Messages).Message;
            if (message.Step == ExportStep.Download)
            {
                return message;
            }

            await Task.Delay(50);
        }

        throw new InvalidOperationException("The export did not reach its download.");
    }

    private static ExportMessage Copy(ExportMessage message) => message with { MessageId = "copy-" + Guid.NewGuid().ToString("N") };

    private static async Task ExpireLeaseAsync(WorkflowHarness harness, string jobId)
    {
        var stored = (await harness.Host.JobStore.GetAsync(jobId))!;
        var expired = stored.Job with { Lease = stored.Job.Lease! with { ExpiresAt = DateTimeOffset.UtcNow - TimeSpan.FromSeconds(1) } };
        Assert.NotNull(await harness.Host.JobStore.TryReplaceAsync(expired, stored.ETag));
    }

    /// <summary>Writes the job as a start step that claimed it (and then died) would leave it.</summary>
    private static async Task ClaimAsync(WorkflowHarness harness, string jobId, DateTimeOffset expiresAt)
    {
        var stored = (await harness.Host.JobStore.GetAsync(jobId))!;
        var claimed = stored.Job with
        {
            State = ExportJobState.Started,
            StartedAt = DateTimeOffset.UtcNow,
            Lease = new ExportJobLease { LeaseId = "dead-" + Guid.NewGuid().ToString("N"), ExpiresAt = expiresAt },
        };
        Assert.NotNull(await harness.Host.JobStore.TryReplaceAsync(claimed, stored.ETag));
    }
}
