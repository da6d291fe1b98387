using System.Net;
using System.Net.Http.Json;
using RoleMining.Api.Callbacks;
using Microsoft.Extensions.DependencyInjection;
using RoleMining.Api.Tests.Infrastructure;
using RoleMining.Testing.Http;
using RoleMining.Emulator;
using RoleMining.Exports;

namespace RoleMining.Api.Tests.Exports;

/// <summary>How each job state is answered: 202 while running, 200 when done, 422 or 502 problems when failed.</summary>
public sealed class JobStateTests
{
    [Fact]
    public async Task Export_that_ends_in_ERROR_at_SailPoint_is_a_502_problem_at_the_end_of_the_pattern()
    {
        await using var host = await ApiTestHost.StartAsync(options =>
            options.Faults.Routes["exportRoleMiningPotentialRoleAsync"] = new EmulatorRouteFaultOptions { ExportErrorShare = 1 });
        var session = host.SessionWithRoles();
        var follower = new AsyncPatternClient(host.Client);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"api/sessions/{session.Id}/potential-roles/{session.PotentialRoles[0].Id}/exports");
        using var response = await follower.SendAndFollowAsync(request, TimeSpan.FromSeconds(60));
        var problem = await HttpAssert.ProblemAsync(response, HttpStatusCode.BadGateway);
        Assert.Equal("ExportError", (string?)problem["failureKind"]);
        Assert.Equal("failed", (string?)problem["state"]);
        Assert.Equal(follower.Polls[^1].Location.Segments[^1], (string?)problem["jobId"]);
        Assert.False(string.IsNullOrEmpty((string?)problem["exportId"]));

        using var files = await host.Client.GetAsync($"api/exports/{problem["jobId"]}/artifacts/export.zip");
        await HttpAssert.ProblemAsync(files, HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task A_failed_jobs_problem_shows_its_callback_without_null_members_as_the_job_resource_does()
    {
        // The connector's schema types the callback's times and error as strings: a Parse JSON step on the problem of a
        // failed export must not meet nulls.
        await using var host = await ApiTestHost.StartAsync(
            emulator: options => options.Faults.Routes["exportRoleMiningPotentialRoleAsync"] = new EmulatorRouteFaultOptions { ExportErrorShare = 1 },
            api: options =>
            {
                options.PublicBaseUrl = new Uri("https://rolemining.example.test/");
                options.Callbacks["Workflow"] = new CallbackTargetOptions
                {
                    Url = "http://127.0.0.1:9/receiver", // nothing listens: the callback stays pending, or fails
                    TokenUrl = "http://127.0.0.1:9/token",
                    ClientId = "client",
                    ClientSecret = "secret",
                };
            });
        var session = host.SessionWithRoles();
        using var start = await host.Client.PostAsJsonAsync($"api/sessions/{session.Id}/potential-roles/{session.PotentialRoles[0].Id}/exports", new { callback = "Workflow" });
        var jobId = (string)(await HttpAssert.JsonAsync(start, HttpStatusCode.Accepted))["jobId"]!;

        // Location is built on the public base URL, which this host is not: the job is polled by id.
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(60);
        HttpResponseMessage response;
        while ((response = await host.Client.GetAsync($"api/exports/{jobId}")).StatusCode == HttpStatusCode.Accepted)
        {
            response.Dispose();
            Assert.True(DateTimeOffset.UtcNow < deadline, "the export did not end");
            await Task.Delay(200);
        }

        using var ended = response;
        var problem = await HttpAssert.ProblemAsync(ended, HttpStatusCode.BadGateway);
        var callback = problem["callback"]!.AsObject();
        Assert.Equal("Workflow", (string?)callback["name"]);
        Assert.All(callback, member => Assert.True(member.Value is not null, $"callback.{member.Key} is null: {callback}"));
    }

    [Fact]
    public async Task Rejected_start_is_a_422_and_other_failures_a_502()
    {
        await using var host = await ApiTestHost.StartAsync();
        var store = host.Services.GetRequiredService<IExportJobStore>();
        var rejected = await SeedAsync(store, job => job with
        {
            State = ExportJobState.Failed,
            Failure = new ExportFailure { Kind = ExportFailureKind.StartRejected, Reason = "SailPoint answered 400.", Step = ExportStep.Start },
        });
        var invalid = await SeedAsync(store, job => job with
        {
            State = ExportJobState.Failed,
            Failure = new ExportFailure { Kind = ExportFailureKind.InvalidArchive, Reason = "The zip is truncated.", Step = ExportStep.Download },
        });

        using var first = await host.Client.GetAsync($"api/exports/{rejected.JobId}");
        var problem = await HttpAssert.ProblemAsync(first, HttpStatusCode.UnprocessableEntity);
        Assert.Equal("StartRejected", (string?)problem["failureKind"]);
        Assert.Equal("Start", (string?)problem["failedStep"]);
        Assert.Equal("SailPoint answered 400.", (string?)problem["detail"]);

        using var second = await host.Client.GetAsync($"api/exports/{invalid.JobId}");
        problem = await HttpAssert.ProblemAsync(second, HttpStatusCode.BadGateway);
        Assert.Equal("InvalidArchive", (string?)problem["failureKind"]);
    }

    [Fact]
    public async Task Running_job_is_a_202_pointing_at_itself_with_a_bounded_retry_after()
    {
        await using var host = await ApiTestHost.StartAsync(api: options => options.MaxExportRetryAfter = TimeSpan.FromSeconds(20));
        var store = host.Services.GetRequiredService<IExportJobStore>();
        var job = await SeedAsync(store, job => job with
        {
            State = ExportJobState.Polling,
            ExportId = "0123456789abcdef0123456789abcdef",
            NextStep = ExportStep.Poll,
            NextStepDueAt = DateTimeOffset.UtcNow.AddHours(1),
        });

        using var response = await host.Client.GetAsync($"api/exports/{job.JobId.ToUpperInvariant()}");
        var body = await HttpAssert.JsonAsync(response, HttpStatusCode.Accepted);
        Assert.Equal("polling", (string?)body["state"]);
        Assert.Equal(new Uri(host.BaseAddress, $"api/exports/{job.JobId}"), response.Headers.Location);
        Assert.Equal(TimeSpan.FromSeconds(20), response.Headers.RetryAfter?.Delta);
        Assert.Null(body["artifacts"]);
    }

    [Fact]
    public async Task Public_base_url_is_used_for_locations()
    {
        await using var host = await ApiTestHost.StartAsync(api: options => options.PublicBaseUrl = new Uri("https://rolemining.contoso.example/"));
        var session = host.SessionWithRoles();
        using var response = await host.Client.PostAsync($"api/sessions/{session.Id}/potential-roles/{session.PotentialRoles[0].Id}/exports", null);
        var job = await HttpAssert.JsonAsync(response, HttpStatusCode.Accepted);
        Assert.Equal(new Uri($"https://rolemining.contoso.example/api/exports/{job["jobId"]}"), response.Headers.Location);
    }

    private static async Task<ExportJob> SeedAsync(IExportJobStore store, Func<ExportJob, ExportJob> shape)
    {
        var now = DateTimeOffset.UtcNow;
        var job = shape(new ExportJob
        {
            JobId = ExportJobIds.NewJobId(),
            SessionId = Guid.NewGuid().ToString(),
            PotentialRoleId = Guid.NewGuid().ToString(),
            CreatedAt = now,
            UpdatedAt = now,
            CompletedAt = now,
        });

        // Stored directly, without a queue message: the runner never touches it.
        Assert.NotNull(await store.TryCreateAsync(job));
        return job;
    }
}
