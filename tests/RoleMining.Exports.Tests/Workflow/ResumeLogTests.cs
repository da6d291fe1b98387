using Microsoft.Extensions.Logging.Testing;
using RoleMining.Exports.Tests.Support;

namespace RoleMining.Exports.Tests.Workflow;

/// <summary>"Resumed job ..." (event 115) is for a message sent again, not for a new job's first message.</summary>
public sealed class ResumeLogTests
{
    [Fact]
    public async Task A_new_job_is_logged_as_created_and_only_its_message_sent_again_as_resumed()
    {
        var logs = new FakeLogCollector();
        await using var harness = await WorkflowHarness.StartAsync(new HarnessSettings { Logs = new FakeLoggerProvider(logs) });
        var role = harness.Emulator.CompletedRoles()[0];
        var request = new ExportJobRequest { SessionId = role.Session.Id, PotentialRoleId = role.Id, IdempotencyKey = "resume-log-" + Guid.NewGuid().ToString("N") };

        var created = await harness.Host.Jobs.CreateAsync(request);
        var afterCreation = logs.GetSnapshot().Where(record => record.Message.Contains(created.Job.JobId, StringComparison.Ordinal)).Select(record => record.Id.Id).ToList();
        var again = await harness.Host.Jobs.CreateAsync(request); // the same key while the job is still queued: its message is sent again

        Assert.True(created.Created);
        Assert.False(again.Created);
        Assert.Contains(113, afterCreation);
        Assert.DoesNotContain(115, afterCreation);
        Assert.Single(logs.GetSnapshot(), record => record.Id.Id == 115 && record.Message.Contains(created.Job.JobId, StringComparison.Ordinal));
    }
}
