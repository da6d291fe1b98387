using RoleMining.Exports.Tests.Support;

namespace RoleMining.Exports.Tests.Jobs;

/// <summary>Idempotent job creation: a retried POST or a re-run command gets the same job back.</summary>
public sealed class ExportJobServiceTests
{
    [Fact]
    public async Task The_same_idempotency_key_returns_the_same_job_and_SailPoint_runs_one_export()
    {
        await using var harness = await WorkflowHarness.StartAsync();
        var role = harness.Emulator.CompletedRoles()[0];
        var request = new ExportJobRequest { SessionId = role.Session.Id, PotentialRoleId = role.Id, IdempotencyKey = "request-42" };

        var first = await harness.Host.Jobs.CreateAsync(request);
        var retried = await harness.Host.Jobs.CreateAsync(request);
        await harness.Host.RunUntilIdleAsync();
        var afterwards = await harness.Host.Jobs.CreateAsync(request);

        Assert.True(first.Created);
        Assert.False(retried.Created);
        Assert.False(afterwards.Created);
        Assert.Equal(first.Job.JobId, retried.Job.JobId);
        Assert.Equal(first.Job.JobId, afterwards.Job.JobId);
        Assert.Equal(ExportJobState.Succeeded, afterwards.Job.State);
        Assert.Equal("request-42", afterwards.Job.IdempotencyKey);
        Assert.Single(await harness.Host.Jobs.QueryAsync(ExportJobQuery.All).ToListAsync());
        Assert.Equal(1, harness.Emulator.Statistics.ExportCreationsFor(role.Session.Id, role.Id));
    }

    [Fact]
    public async Task Reusing_a_key_for_other_parameters_is_refused_naming_the_existing_job()
    {
        await using var harness = await WorkflowHarness.StartAsync();
        var role = harness.Emulator.CompletedRoles()[0];
        var first = await harness.Host.Jobs.CreateAsync(new ExportJobRequest { SessionId = role.Session.Id, PotentialRoleId = role.Id, IdempotencyKey = "k" });

        var conflict = await Assert.ThrowsAsync<ExportJobConflictException>(() => harness.Host.Jobs.CreateAsync(new ExportJobRequest
        {
            SessionId = role.Session.Id,
            PotentialRoleId = role.Id,
            IdempotencyKey = "k",
            Options = new ExportRequestOptions { MinEntitlementPopularity = 50 },
        }));

        Assert.Equal(first.Job.JobId, conflict.ExistingJob!.JobId);
        Assert.Contains(first.Job.JobId, conflict.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_key_every_request_is_a_new_job()
    {
        await using var harness = await WorkflowHarness.StartAsync();
        var role = harness.Emulator.CompletedRoles()[0];
        var request = new ExportJobRequest { SessionId = role.Session.Id, PotentialRoleId = role.Id };

        var first = await harness.Host.Jobs.CreateAsync(request);
        var second = await harness.Host.Jobs.CreateAsync(request);

        Assert.NotEqual(first.Job.JobId, second.Job.JobId);
        Assert.True(second.Created);
        Assert.Equal(32, first.Job.JobId.Length);
    }

    [Theory]
    [InlineData("../etc", "role", null)]
    [InlineData("session", "a/b", null)]
    [InlineData("session", "role", 101)]
    [InlineData("session", "role", -1)]
    public async Task Invalid_requests_are_refused_before_anything_is_stored(string sessionId, string potentialRoleId, int? minPopularity)
    {
        await using var harness = await WorkflowHarness.StartAsync();

        await Assert.ThrowsAnyAsync<ArgumentException>(() => harness.Host.Jobs.CreateAsync(new ExportJobRequest
        {
            SessionId = sessionId,
            PotentialRoleId = potentialRoleId,
            Options = new ExportRequestOptions { MinEntitlementPopularity = minPopularity },
        }));

        Assert.Empty(await harness.Host.Jobs.QueryAsync(ExportJobQuery.All).ToListAsync());
        Assert.Equal(0, harness.Host.Queue.Count);
    }

    [Fact]
    public async Task Unknown_or_malformed_job_ids_read_as_no_job()
    {
        await using var harness = await WorkflowHarness.StartAsync();

        Assert.Null(await harness.Host.Jobs.GetAsync(ExportJobIds.NewJobId()));
        Assert.Null(await harness.Host.Jobs.GetAsync("../../etc/passwd"));
    }

    [Fact]
    public void Idempotency_keys_map_to_stable_distinct_job_ids()
    {
        Assert.Equal(ExportJobIds.FromIdempotencyKey("a"), ExportJobIds.FromIdempotencyKey("a"));
        Assert.NotEqual(ExportJobIds.FromIdempotencyKey("a"), ExportJobIds.FromIdempotencyKey("b"));
        Assert.Matches("^[0-9a-f]{32}$", ExportJobIds.FromIdempotencyKey("a"));
    }

    [Fact]
    public void A_job_id_scope_gives_the_same_key_another_stable_id_and_no_scope_keeps_the_ids_of_stored_jobs()
    {
        Assert.Equal(ExportJobIds.FromIdempotencyKey("a", "scope-1"), ExportJobIds.FromIdempotencyKey("a", "scope-1"));
        Assert.NotEqual(ExportJobIds.FromIdempotencyKey("a", "scope-1"), ExportJobIds.FromIdempotencyKey("a", "scope-2"));
        Assert.NotEqual(ExportJobIds.FromIdempotencyKey("a"), ExportJobIds.FromIdempotencyKey("a", "scope-1"));
        Assert.Matches("^[0-9a-f]{32}$", ExportJobIds.FromIdempotencyKey("a", "scope-1"));

        // Job documents stored before scopes existed keep being found under their key: SHA-256 of "rolemining-export-job:a", first 16 bytes.
        Assert.Equal("9d279b37a260e20d048a614091b74d1d", ExportJobIds.FromIdempotencyKey("a"));
    }
}
