using RoleMining.Emulator;
using RoleMining.Exports.Tests.Support;
using RoleMining.SailPoint.Models;

namespace RoleMining.Exports.Tests.Planning;

public sealed class ExportSweepPlannerTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Roles_with_a_running_or_succeeded_job_are_covered_the_others_are_planned()
    {
        SweepCandidate[] candidates = [new("s", "queued"), new("s", "polling"), new("s", "done"), new("s", "failed-twice"), new("s", "new")];
        ExportJob[] jobs =
        [
            Job("s", "queued", ExportJobState.Queued),
            Job("s", "polling", ExportJobState.Polling),
            Job("s", "done", ExportJobState.Failed),
            Job("s", "done", ExportJobState.Succeeded),
            Job("s", "failed-twice", ExportJobState.Failed),
            Job("s", "failed-twice", ExportJobState.Failed),
            Job("other", "new", ExportJobState.Succeeded),
        ];

        var plan = ExportSweepPlanner.Plan(candidates, jobs, ExportRequestOptions.Default);

        Assert.Equal(["failed-twice", "new"], plan.ToStart.Select(planned => planned.PotentialRoleId));
        Assert.Equal(["queued", "polling", "done"], plan.Covered.Select(covered => covered.PotentialRoleId));
        Assert.Equal(ExportJobState.Succeeded, plan.Covered.Single(covered => covered.PotentialRoleId == "done").State);

        // A role whose jobs failed gets a key of its own, so the new job is not the failed one again.
        var retry = plan.ToStart[0].IdempotencyKey;
        Assert.NotEqual(retry, ExportSweepPlanner.Plan([new("s", "failed-twice")], jobs.Take(5), ExportRequestOptions.Default).ToStart[0].IdempotencyKey);
        Assert.Equal(plan.ToStart.Select(planned => planned.IdempotencyKey), ExportSweepPlanner.Plan(candidates, jobs, ExportRequestOptions.Default).ToStart.Select(planned => planned.IdempotencyKey));
    }

    [Fact]
    public void A_job_stored_with_capitals_in_its_ids_still_covers_its_role()
    {
        // Jobs created before ids were lowercased kept the spelling their caller gave; SailPoint lists ids in lowercase.
        SweepCandidate[] candidates = [new("2c918086abcd", "9f3e00aa"), new("2c918086abcd", "77bb00cc")];
        ExportJob[] jobs =
        [
            Job("2C918086ABCD", "9F3E00AA", ExportJobState.Succeeded),
            Job("2C918086ABCD", "77BB00CC", ExportJobState.Failed) with { IdempotencyKey = "sweep/2C918086ABCD/77BB00CC/" + ExportRequestOptions.Default.ToKey() + "/4" },
        ];

        var plan = ExportSweepPlanner.Plan(candidates, jobs, ExportRequestOptions.Default);

        Assert.Equal("9f3e00aa", Assert.Single(plan.Covered).PotentialRoleId);
        // The failed one gets a new job, numbered past the one it has.
        Assert.EndsWith("/5", Assert.Single(plan.ToStart).IdempotencyKey, StringComparison.Ordinal);
    }

    [Fact]
    public void A_failed_role_whose_older_job_document_was_deleted_still_gets_a_new_job()
    {
        SweepCandidate[] candidates = [new("s", "r")];
        var first = ExportSweepPlanner.Plan(candidates, [], ExportRequestOptions.Default).ToStart.Single().IdempotencyKey;
        var firstJob = Job("s", "r", ExportJobState.Failed) with { IdempotencyKey = first };
        var second = ExportSweepPlanner.Plan(candidates, [firstJob], ExportRequestOptions.Default).ToStart.Single().IdempotencyKey;
        var secondJob = Job("s", "r", ExportJobState.Failed) with { IdempotencyKey = second };

        // The first job's document is gone (deleted by hand); the second failed too.
        var third = ExportSweepPlanner.Plan(candidates, [secondJob], ExportRequestOptions.Default).ToStart.Single().IdempotencyKey;

        Assert.NotEqual(first, second);
        Assert.NotEqual(second, third);
        Assert.NotEqual(first, third);
        // Unchanged for roles whose documents are all there.
        Assert.Equal(third, ExportSweepPlanner.Plan(candidates, [firstJob, secondJob], ExportRequestOptions.Default).ToStart.Single().IdempotencyKey);
    }

    [Fact]
    public async Task Running_the_sweep_twice_starts_nothing_new_and_covers_every_role_of_the_complete_sessions()
    {
        await using var harness = await WorkflowHarness.StartAsync();
        var expected = harness.Emulator.CompletedRoles().Select(role => (role.Session.Id, role.Id)).Order().ToList();
        var selection = new ExportSweepSelection { Options = new ExportRequestOptions { IncludeCommonAccess = false } };

        var first = await harness.Host.Planner.PlanAsync(selection);
        var started = await harness.Host.Jobs.StartPlannedAsync(first);
        var second = await harness.Host.Planner.PlanAsync(selection);
        await harness.Host.Jobs.StartPlannedAsync(second);

        Assert.Equal(expected, first.ToStart.Select(planned => (planned.SessionId, planned.PotentialRoleId)).Order());
        Assert.All(started, creation => Assert.True(creation.Created));
        Assert.Empty(second.ToStart);
        Assert.Equal(expected, second.Covered.Select(covered => (covered.SessionId, covered.PotentialRoleId)).Order());
        Assert.Equal(expected.Count, await harness.Host.Jobs.QueryAsync(ExportJobQuery.All).CountAsync());
        Assert.All(await harness.Host.Jobs.QueryAsync(ExportJobQuery.All).ToListAsync(), job => Assert.False(job.Options.IncludeCommonAccess));
        Assert.Equal(
            harness.Emulator.Tenant.Sessions.Where(session => session.State == SessionStates.PotentialRolesCreated && session.PotentialRoles.Count > 0).Select(session => session.Id).Order(),
            first.SessionIds.Order());
    }

    [Fact]
    public async Task Two_sweeps_at_once_create_each_job_once()
    {
        await using var harness = await WorkflowHarness.StartAsync();
        var selection = new ExportSweepSelection();
        var plans = await Task.WhenAll(harness.Host.Planner.PlanAsync(selection), harness.Host.Planner.PlanAsync(selection));

        var results = await Task.WhenAll(plans.Select(plan => Task.Run(() => harness.Host.Jobs.StartPlannedAsync(plan))));

        Assert.Equal(plans[0].ToStart.Count, await harness.Host.Jobs.QueryAsync(ExportJobQuery.All).CountAsync());
        Assert.Equal(plans[0].ToStart.Count, results.SelectMany(result => result).Count(creation => creation.Created));
    }

    [Fact]
    public async Task A_role_whose_job_failed_is_planned_again_by_the_next_sweep()
    {
        await using var harness = await WorkflowHarness.StartAsync(new HarnessSettings
        {
            Emulator = options => options.Faults.Default.ExportErrorShare = 1,
        });
        var role = harness.Emulator.CompletedRoles()[0];
        var selection = new ExportSweepSelection { SessionIds = [role.Session.Id] };
        var first = await harness.Host.Planner.PlanAsync(selection);
        await harness.Host.Jobs.StartPlannedAsync(first);
        await harness.Host.RunUntilIdleAsync();
        Assert.All(await harness.Host.Jobs.QueryAsync(ExportJobQuery.All).ToListAsync(), job => Assert.Equal(ExportJobState.Failed, job.State));

        var second = await harness.Host.Planner.PlanAsync(selection);
        var retried = await harness.Host.Jobs.StartPlannedAsync(second);

        Assert.Equal(first.ToStart.Count, second.ToStart.Count);
        Assert.All(retried, creation => Assert.True(creation.Created));
        Assert.Equal(first.ToStart.Count * 2, await harness.Host.Jobs.QueryAsync(ExportJobQuery.All).CountAsync());
    }

    [Fact]
    public async Task The_selection_filters_sessions_by_id_state_and_saved()
    {
        await using var harness = await WorkflowHarness.StartAsync(new HarnessSettings { Emulator = options => options.Tenant.SessionCount = 14 });
        var tenant = harness.Emulator.Tenant;
        var unfinished = tenant.Sessions.First(session => session.State != SessionStates.PotentialRolesCreated && session.PotentialRoles.Count > 0);
        var complete = tenant.Sessions.First(session => session.State == SessionStates.PotentialRolesCreated && session.PotentialRoles.Count > 0);

        var byId = await harness.Host.Planner.PlanAsync(new ExportSweepSelection { SessionIds = [complete.Id, unfinished.Id, "00000000-0000-0000-0000-000000000000"] });
        var anyState = await harness.Host.Planner.PlanAsync(new ExportSweepSelection { SessionIds = [unfinished.Id], RequiredState = null });
        var saved = await harness.Host.Planner.PlanAsync(new ExportSweepSelection { SavedOnly = true });

        Assert.Equal([complete.Id], byId.SessionIds);
        Assert.Equal(complete.PotentialRoles.Select(role => role.Id).Order(), byId.ToStart.Select(planned => planned.PotentialRoleId).Order());
        Assert.Equal(unfinished.PotentialRoles.Count, anyState.ToStart.Count);
        var expectedSaved = tenant.Sessions.Where(session => session.Saved && session.State == SessionStates.PotentialRolesCreated && session.PotentialRoles.Count > 0).Select(session => session.Id).Order().ToList();
        Assert.NotEmpty(expectedSaved);
        Assert.NotEqual(tenant.Sessions.Count(session => session.State == SessionStates.PotentialRolesCreated && session.PotentialRoles.Count > 0), expectedSaved.Count);
        Assert.Equal(expectedSaved, saved.SessionIds.Order());
        Assert.Equal(RoleMiningSessionState.PotentialRolesCreated, new ExportSweepSelection().RequiredState);
    }

    private static ExportJob Job(string sessionId, string potentialRoleId, ExportJobState state) => new()
    {
        JobId = ExportJobIds.NewJobId(),
        SessionId = sessionId,
        PotentialRoleId = potentialRoleId,
        State = state,
        CreatedAt = Now,
        UpdatedAt = Now,
    };
}
