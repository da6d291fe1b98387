using Microsoft.Extensions.Time.Testing;
using RoleMining.Cli.Exports;
using RoleMining.Exports;
using RoleMining.SailPoint;

namespace RoleMining.Cli.Tests.Exports;

public sealed class ExportProgressTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 9, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(SailPointErrorKind.Service, 503, false, "SailPoint answered 503")]
    [InlineData(SailPointErrorKind.RateLimited, 429, false, "SailPoint's rate limit (429)")]
    [InlineData(SailPointErrorKind.Transport, null, false, "a broken connection to SailPoint")]
    [InlineData(SailPointErrorKind.Timeout, null, false, "no answer from SailPoint in time")]
    [InlineData(SailPointErrorKind.Service, 502, true, "SailPoint kept failing (calls paused)")]
    public void A_job_waiting_to_retry_says_which_retry_and_why(SailPointErrorKind kind, int? status, bool viaOpenCircuit, string reason)
    {
        var job = Job(ExportJobState.Polling) with
        {
            ExportStatus = "IN_PROGRESS",
            TransientRetries = 2,
            LastSailPointError = new ExportSailPointError { OperationId = "exportRoleMiningPotentialRoleStatus", Kind = kind, Status = status, ViaOpenCircuit = viaOpenCircuit },
            NextStepDueAt = Now.AddSeconds(44.2),
        };

        Assert.Equal($"waiting for SailPoint (IN_PROGRESS), retry 2 after {reason}", ExportJobProgress.Label(job));
        Assert.Equal(" in 45 s", ExportJobProgress.RetryCountdown(job, Now));
        Assert.Equal(string.Empty, ExportJobProgress.RetryCountdown(job, Now.AddMinutes(1)));
    }

    [Fact]
    public void A_start_that_got_no_clear_answer_waits_in_the_queue_as_a_retry()
    {
        var job = Job(ExportJobState.Queued) with
        {
            UncertainStarts = 1,
            LastSailPointError = new ExportSailPointError { OperationId = "exportRoleMiningPotentialRoleAsync", Kind = SailPointErrorKind.Transport },
            NextStepDueAt = Now.AddSeconds(39.5),
        };

        Assert.Equal("queued, retry 1 after a broken connection to SailPoint", ExportJobProgress.Label(job));
        Assert.Equal(" in 40 s", ExportJobProgress.RetryCountdown(job, Now));
        Assert.Equal("waiting for SailPoint", ExportJobProgress.Label(job with { State = ExportJobState.Polling }));
    }

    [Fact]
    public void A_job_not_retrying_or_finished_shows_its_state_alone()
    {
        Assert.Equal("downloading", ExportJobProgress.Label(Job(ExportJobState.Downloading)));
        var failed = Job(ExportJobState.Failed) with { TransientRetries = 3, NextStepDueAt = Now.AddSeconds(30) };
        Assert.Equal("failed", ExportJobProgress.Label(failed));
        Assert.Equal(string.Empty, ExportJobProgress.RetryCountdown(failed, Now));
    }

    [Fact]
    public void Plain_progress_prints_a_line_per_retry_with_its_countdown_and_not_one_per_tick()
    {
        var clock = new FakeTimeProvider(Now);
        using var output = new StringWriter();
        var progress = new PlainExportProgress(output, clock);
        var waiting = Job(ExportJobState.Downloading) with
        {
            TransientRetries = 1,
            LastSailPointError = new ExportSailPointError { OperationId = "downloadRoleMiningPotentialRoleZip", Kind = SailPointErrorKind.Service, Status = 503 },
            NextStepDueAt = Now.AddSeconds(30),
        };

        progress.Update([waiting]);
        clock.Advance(TimeSpan.FromSeconds(10));
        progress.Update([waiting]);
        progress.Update([waiting with { TransientRetries = 2, NextStepDueAt = clock.GetUtcNow().AddSeconds(60) }]);
        progress.Update([waiting with { TransientRetries = 0, State = ExportJobState.Succeeded }]);

        var lines = output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.EndsWith("s/r: downloading, retry 1 after SailPoint answered 503 in 30 s", lines[0], StringComparison.Ordinal);
        Assert.EndsWith("s/r: downloading, retry 2 after SailPoint answered 503 in 60 s", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("[  10.0s]", lines[1], StringComparison.Ordinal);
        Assert.EndsWith("s/r: succeeded", lines[2], StringComparison.Ordinal);
    }

    private static ExportJob Job(ExportJobState state) => new()
    {
        JobId = "0123456789abcdef0123456789abcdef",
        SessionId = "s",
        PotentialRoleId = "r",
        State = state,
        CreatedAt = Now,
        UpdatedAt = Now,
    };
}
