using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using RoleMining.Api.Tests.Infrastructure;
using RoleMining.Testing.Http;
using RoleMining.Exports;

namespace RoleMining.Api.Tests.Exports;

/// <summary>
/// <c>Idempotency-Key</c>: the same key answers 202 with the same job (one SailPoint export), another key or no key makes
/// a new job, concurrent requests with one key make one job, and a key reused for another export is refused.
/// </summary>
public sealed class IdempotencyTests : IAsyncLifetime
{
    private ApiTestHost _host = null!;

    public async Task InitializeAsync() => _host = await ApiTestHost.StartAsync(options => options.Tenant.SessionCount = 8);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Same_key_answers_202_with_the_same_job_and_one_SailPoint_export()
    {
        var (session, role) = Role(0);
        var key = Guid.NewGuid().ToString();
        var first = await PostAsync(session, role, key);
        var second = await PostAsync(session, role, key);
        Assert.Equal((string?)first["jobId"], (string?)second["jobId"]);

        await WaitUntilDoneAsync((string)first["jobId"]!);
        var third = await PostAsync(session, role, key);
        Assert.Equal((string?)first["jobId"], (string?)third["jobId"]);
        Assert.Equal("succeeded", (string?)third["state"]);
        Assert.Equal(1, _host.Emulator.Statistics.ExportCreationsFor(session, role));
    }

    [Fact]
    public async Task Different_keys_and_no_key_make_new_jobs()
    {
        var (session, role) = Role(1);
        var withKey = await PostAsync(session, role, "key-a-" + Guid.NewGuid());
        var otherKey = await PostAsync(session, role, "key-b-" + Guid.NewGuid());
        var noKey = await PostAsync(session, role, null);
        var noKeyAgain = await PostAsync(session, role, null);
        string[] ids = [(string)withKey["jobId"]!, (string)otherKey["jobId"]!, (string)noKey["jobId"]!, (string)noKeyAgain["jobId"]!];
        Assert.Equal(4, ids.Distinct().Count());
        foreach (var id in ids)
        {
            await WaitUntilDoneAsync(id);
        }

        Assert.Equal(4, _host.Emulator.Statistics.ExportCreationsFor(session, role));
    }

    [Fact]
    public async Task Concurrent_requests_with_one_key_make_one_job()
    {
        var (session, role) = Role(2);
        var key = Guid.NewGuid().ToString("N");
        using var start = new ManualResetEventSlim();
        var posts = Enumerable.Range(0, 12).Select(_ => Task.Run(async () =>
        {
            start.Wait();
            return await PostAsync(session, role, key);
        })).ToList();
        start.Set();
        var jobs = await Task.WhenAll(posts);
        var jobId = Assert.Single(jobs.Select(job => (string)job["jobId"]!).Distinct());
        await WaitUntilDoneAsync(jobId);
        Assert.Equal(1, _host.Emulator.Statistics.ExportCreationsFor(session, role));
        var stored = new List<ExportJob>();
        await foreach (var job in _host.Services.GetRequiredService<ExportJobService>().QueryAsync(new ExportJobQuery { SessionId = session, PotentialRoleId = role }))
        {
            stored.Add(job);
        }

        Assert.Equal(jobId, Assert.Single(stored).JobId);
    }

    [Fact]
    public async Task A_key_reused_for_another_role_or_other_options_is_refused()
    {
        var (session, role) = Role(3);
        var (_, otherRole) = Role(4);
        var key = Guid.NewGuid().ToString();
        var job = await PostAsync(session, role, key);

        using var otherRoleResponse = await SendAsync(session, otherRole, key, null);
        var problem = await HttpAssert.ProblemAsync(otherRoleResponse, HttpStatusCode.UnprocessableEntity);
        Assert.Equal((string?)job["jobId"], (string?)problem["existingJobId"]);

        using var otherOptionsResponse = await SendAsync(session, role, key, new { minEntitlementPopularity = 50 });
        await HttpAssert.ProblemAsync(otherOptionsResponse, HttpStatusCode.UnprocessableEntity);
        // The operator sees a caller reusing keys, not only the caller.
        Assert.Equal(2, _host.Logs.GetSnapshot().Count(record =>
            record.Level == Microsoft.Extensions.Logging.LogLevel.Warning && record.Message.Contains($"export job {job["jobId"]} was reused", StringComparison.Ordinal)));
        await WaitUntilDoneAsync((string)job["jobId"]!);
        Assert.Equal(0, _host.Emulator.Statistics.ExportCreationsFor(session, otherRole));
    }

    [Fact]
    public async Task Same_key_on_a_session_export_answers_with_the_same_batch_and_jobs()
    {
        var session = _host.Emulator.Tenant.Sessions.Last(candidate => candidate.PotentialRoles.Count >= 2);
        var key = Guid.NewGuid().ToString();
        var first = await PostSessionAsync(session.Id, key);
        var second = await PostSessionAsync(session.Id, key);
        Assert.Equal((string?)first["batchId"], (string?)second["batchId"]);
        Assert.Equal(HttpAssert.Strings(first["jobs"], "jobId").Order(), HttpAssert.Strings(second["jobs"], "jobId").Order());
        var other = await PostSessionAsync(session.Id, null);
        Assert.NotEqual((string?)first["batchId"], (string?)other["batchId"]);
        Assert.Empty(HttpAssert.Strings(first["jobs"], "jobId").Intersect(HttpAssert.Strings(other["jobs"], "jobId")));

        using var follow = await new AsyncPatternClient(_host.Client).SendAndFollowAsync(new HttpRequestMessage(HttpMethod.Get, (string)first["statusUrl"]!), TimeSpan.FromSeconds(60));
        var done = await HttpAssert.JsonAsync(follow, HttpStatusCode.OK);
        Assert.Equal(session.PotentialRoles.Count, (int?)done["succeeded"]);
        foreach (var role in session.PotentialRoles)
        {
            // One export per batch: the keyed batch (asked twice) and the unkeyed one.
            await WaitUntilDoneAsync(HttpAssert.Strings(other["jobs"], "jobId"));
            Assert.Equal(2, _host.Emulator.Statistics.ExportCreationsFor(session.Id, role.Id));
        }
    }

    [Fact]
    public async Task A_repeated_session_export_is_answered_from_its_jobs_while_SailPoint_is_down()
    {
        // Logic Apps and Power Automate send a request again when its answer was lost; SailPoint being down then must not
        // turn a batch that exists into a 5xx.
        var session = _host.Emulator.Tenant.Sessions.Last(candidate => candidate.PotentialRoles.Count >= 2);
        var key = Guid.NewGuid().ToString();
        var first = await PostSessionAsync(session.Id, key);
        _host.Emulator.Faults.Routes[RoleMining.Emulator.OperationIds.GetPotentialRoleSummaries] = new RoleMining.Emulator.EmulatorRouteFaultOptions { ServerErrorShare = 1 };

        var again = await PostSessionAsync(session.Id, key);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"api/sessions/{session.Id}/exports");
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        using var newKey = await _host.Client.SendAsync(request);

        Assert.Equal((string?)first["batchId"], (string?)again["batchId"]);
        Assert.Equal(HttpAssert.Strings(first["jobs"], "jobId").Order(), HttpAssert.Strings(again["jobs"], "jobId").Order());
        Assert.True((int)newKey.StatusCode >= 500, $"a new batch cannot be listed while SailPoint is down, got {(int)newKey.StatusCode}");
    }

    [Fact]
    public async Task Ids_in_upper_case_name_the_same_export_as_in_lower_case()
    {
        // ISC ids are hexadecimal: a caller that spells them in capitals means the same role, and its retry must not start
        // a second export.
        var (session, role) = Role(0);
        var key = Guid.NewGuid().ToString();

        var upper = await PostAsync(session.ToUpperInvariant(), role.ToUpperInvariant(), key);
        var lower = await PostAsync(session, role, key);

        Assert.Equal((string?)upper["jobId"], (string?)lower["jobId"]);
        Assert.Equal(session, (string?)upper["sessionId"]);
        Assert.Equal(role, (string?)upper["potentialRoleId"]);
        await WaitUntilDoneAsync((string)upper["jobId"]!);
        Assert.Equal(1, _host.Emulator.Statistics.ExportCreationsFor(session, role));
    }

    [Fact]
    public async Task A_session_export_with_the_session_id_in_upper_case_is_the_same_batch_and_can_be_followed_in_either_case()
    {
        var session = _host.Emulator.Tenant.Sessions.Last(candidate => candidate.PotentialRoles.Count >= 2);
        var key = Guid.NewGuid().ToString();

        var upper = await PostSessionAsync(session.Id.ToUpperInvariant(), key);
        var lower = await PostSessionAsync(session.Id, key);

        var batchId = (string)upper["batchId"]!;
        Assert.Equal(batchId, (string?)lower["batchId"]);
        Assert.Equal(HttpAssert.Strings(upper["jobs"], "jobId").Order(), HttpAssert.Strings(lower["jobs"], "jobId").Order());
        Assert.Contains($"/sessions/{session.Id}/exports/{batchId}", (string)upper["statusUrl"]!, StringComparison.Ordinal);
        foreach (var spelling in new[] { session.Id, session.Id.ToUpperInvariant() })
        {
            using var status = await _host.Client.GetAsync($"api/sessions/{spelling}/exports/{batchId}");
            Assert.True(status.StatusCode is HttpStatusCode.OK or HttpStatusCode.Accepted, $"{spelling}: {(int)status.StatusCode}");
        }

        await WaitUntilDoneAsync(HttpAssert.Strings(upper["jobs"], "jobId"));
        Assert.All(session.PotentialRoles, role => Assert.Equal(1, _host.Emulator.Statistics.ExportCreationsFor(session.Id, role.Id)));
    }

    [Fact]
    public async Task Jobs_stored_with_capital_ids_before_ids_were_lowercased_are_found_by_a_retry()
    {
        // What an earlier version stored for a caller that spelt the ids in capitals: the ids as given, and a batch id
        // made from the session id as given.
        var jobs = _host.Services.GetRequiredService<ExportJobService>();
        var (session, role) = Role(0);
        var key = Guid.NewGuid().ToString();
        var single = await jobs.CreateAsync(new ExportJobRequest
        {
            SessionId = session.ToUpperInvariant(),
            PotentialRoleId = role.ToUpperInvariant(),
            IdempotencyKey = RoleMining.Api.Exports.ExportRepresentation.SingleExportKey(key),
        });
        var batchSession = _host.Emulator.Tenant.Sessions.Last(candidate => candidate.PotentialRoles.Count >= 2);
        var batchKey = Guid.NewGuid().ToString();
        var earlierBatchId = RoleMining.Api.Exports.ExportRepresentation.BatchIdOf(batchSession.Id.ToUpperInvariant(), batchKey);
        var stored = new List<string>();
        foreach (var batchRole in batchSession.PotentialRoles)
        {
            stored.Add((await jobs.CreateAsync(new ExportJobRequest
            {
                SessionId = batchSession.Id.ToUpperInvariant(),
                PotentialRoleId = batchRole.Id,
                IdempotencyKey = RoleMining.Api.Exports.ExportRepresentation.BatchJobKey(earlierBatchId, batchRole.Id),
            })).Job.JobId);
        }

        var retried = await PostAsync(session.ToUpperInvariant(), role.ToUpperInvariant(), key);
        var retriedBatch = await PostSessionAsync(batchSession.Id.ToUpperInvariant(), batchKey);
        using var poll = await _host.Client.GetAsync($"api/sessions/{batchSession.Id}/exports/{earlierBatchId}");

        Assert.Equal(single.Job.JobId, (string?)retried["jobId"]);
        Assert.Equal(earlierBatchId, (string?)retriedBatch["batchId"]);
        Assert.Equal(stored.Order(), HttpAssert.Strings(retriedBatch["jobs"], "jobId").Order());
        Assert.True(poll.StatusCode is HttpStatusCode.OK or HttpStatusCode.Accepted, $"{(int)poll.StatusCode}");
        await WaitUntilDoneAsync([single.Job.JobId, .. stored]);
    }

    private (string Session, string Role) Role(int index)
    {
        var session = _host.Emulator.Tenant.Sessions.First(candidate => candidate.PotentialRoles.Count >= 5);
        return (session.Id, session.PotentialRoles[index].Id);
    }

    private async Task<JsonNode> PostAsync(string session, string role, string? key)
    {
        using var response = await SendAsync(session, role, key, null);
        return await HttpAssert.JsonAsync(response, HttpStatusCode.Accepted);
    }

    private async Task<HttpResponseMessage> SendAsync(string session, string role, string? key, object? body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"api/sessions/{session}/potential-roles/{role}/exports");
        if (key is not null)
        {
            request.Headers.Add("Idempotency-Key", key);
        }

        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return await _host.Client.SendAsync(request);
    }

    private async Task<JsonNode> PostSessionAsync(string session, string? key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"api/sessions/{session}/exports");
        if (key is not null)
        {
            request.Headers.Add("Idempotency-Key", key);
        }

        using var response = await _host.Client.SendAsync(request);
        return await HttpAssert.JsonAsync(response, HttpStatusCode.Accepted);
    }

    private async Task WaitUntilDoneAsync(params IEnumerable<string> jobIds)
    {
        foreach (var jobId in jobIds)
        {
            using var response = await new AsyncPatternClient(_host.Client).SendAndFollowAsync(new HttpRequestMessage(HttpMethod.Get, $"api/exports/{jobId}"), TimeSpan.FromSeconds(60));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }
}
