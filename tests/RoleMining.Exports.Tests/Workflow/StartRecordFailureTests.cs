using Microsoft.Extensions.Logging.Testing;
using RoleMining.Exports.Tests.Support;

namespace RoleMining.Exports.Tests.Workflow;

/// <summary>
/// The write that records the export SailPoint accepted fails (the job store unavailable: an error, not a conflict). Only
/// that write knows the export exists, so it is tried again while the lease lasts; when it cannot be made, whoever takes
/// the job over starts another export, and the logs say that one was left unused.
/// </summary>
public sealed class StartRecordFailureTests
{
    [Fact]
    public async Task A_store_error_on_the_write_of_the_export_id_is_retried_and_SailPoint_starts_one_export()
    {
        var run = await RunAsync(failures: 2);

        Assert.Equal(2, run.Failed);
        Assert.Equal(ExportJobState.Succeeded, run.Job.State);
        Assert.Equal(0, run.Job.UncertainStarts);
        Assert.Equal(1, run.Creations);
        Assert.Equal(2, run.Logs.Count(entry => entry.Id.Id == 134));
    }

    [Fact]
    public async Task A_store_that_keeps_failing_the_write_costs_one_unused_export_and_says_so()
    {
        // The first try and its three retries fail; the store answers again for whoever takes the job over.
        var run = await RunAsync(failures: 4);

        Assert.Equal(4, run.Failed);
        Assert.Equal(ExportJobState.Succeeded, run.Job.State);
        // SailPoint did start the first export, which is left unused (the documented window): the taker-over starts a
        // second one and the job follows only that.
        Assert.Equal(0, run.Job.UncertainStarts);
        Assert.Equal(2, run.Creations);
        Assert.Contains(run.Logs, entry => entry.Id.Id == 135 && entry.Level == Microsoft.Extensions.Logging.LogLevel.Error);
        Assert.Contains(run.Logs, entry => entry.Id.Id == 136);
    }

    [Theory]
    [InlineData(false)] // answered as a lost condition: a storage client's retry of a Put Blob whose first answer was lost
    [InlineData(true)] // failed: the answer lost, and the storage client's own retries failed too
    public async Task A_write_that_was_stored_but_not_answered_is_recognised_as_made_and_the_job_goes_on(bool thenThrow)
    {
        // The record write is stored, but its writer does not learn so. The retry (or the re-read after the conflict)
        // finds the job as that write left it, built with other timestamps than its own.
        await using var harness = await WorkflowHarness.StartAsync(new HarnessSettings { JobStore = inner => new LostReplyOnce(inner, thenThrow) });
        var role = harness.Emulator.CompletedRoles()[0];
        var job = (await harness.Host.Jobs.CreateAsync(new ExportJobRequest { SessionId = role.Session.Id, PotentialRoleId = role.Id })).Job;

        await harness.Host.RunUntilIdleAsync(TimeSpan.FromSeconds(60));

        // Not taken for a lost lease (which sends no poll and leaves the job to the resume timer).
        var done = await harness.Host.GetJobAsync(job.JobId);
        Assert.Equal(ExportJobState.Succeeded, done.State);
        Assert.Equal(1, harness.Emulator.Statistics.ExportCreationsFor(role.Session.Id, role.Id));
    }

    /// <summary>Exports one role with a job store that fails the first <paramref name="failures"/> writes of the export id.</summary>
    private static async Task<(ExportJob Job, int Failed, long Creations, IReadOnlyList<FakeLogRecord> Logs)> RunAsync(int failures)
    {
        var logs = new FakeLogCollector();
        FailingJobWrites? store = null;
        await using var harness = await WorkflowHarness.StartAsync(new HarnessSettings
        {
            Logs = new FakeLoggerProvider(logs),
            // The start step's final write: polling, with the export id, and the lease given up (a claim sets one).
            JobStore = inner => store = new FailingJobWrites(
                inner, job => job.State == ExportJobState.Polling && job.ExportId is not null && job.PollCount == 0 && job.Lease is null, failures),
        });
        var role = harness.Emulator.CompletedRoles()[0];
        var job = (await harness.Host.Jobs.CreateAsync(new ExportJobRequest { SessionId = role.Session.Id, PotentialRoleId = role.Id })).Job;

        await harness.Host.RunUntilIdleAsync(TimeSpan.FromSeconds(60));

        return (await harness.Host.GetJobAsync(job.JobId), store!.Failed, harness.Emulator.Statistics.ExportCreationsFor(role.Session.Id, role.Id), logs.GetSnapshot());
    }

    /// <summary>Makes the start step's record write, then answers it as a lost condition (or throws), once.</summary>
    private sealed class LostReplyOnce(IExportJobStore inner, bool thenThrow) : IExportJobStore
    {
        private int _lost;

        public string? JobIdScope => inner.JobIdScope;

        public Task<StoredExportJob?> GetAsync(string jobId, CancellationToken cancellationToken = default) => inner.GetAsync(jobId, cancellationToken);

        public Task<StoredExportJob?> TryCreateAsync(ExportJob job, CancellationToken cancellationToken = default) => inner.TryCreateAsync(job, cancellationToken);

        public async Task<StoredExportJob?> TryReplaceAsync(ExportJob job, string etag, CancellationToken cancellationToken = default)
        {
            var written = await inner.TryReplaceAsync(job, etag, cancellationToken);
            if (written is not null && job.State == ExportJobState.Polling && job.ExportId is not null && job.Lease is null
                && Interlocked.Exchange(ref _lost, 1) == 0)
            {
                return thenThrow ? throw new IOException("The store's answer was lost (simulated).") : null;
            }

            return written;
        }

        public IAsyncEnumerable<ExportJob> QueryAsync(ExportJobQuery query, CancellationToken cancellationToken = default) => inner.QueryAsync(query, cancellationToken);
    }
}
